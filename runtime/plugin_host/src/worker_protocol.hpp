// The framed protocol between the host and a plugin worker process (see plugin_worker.hpp).
// A frame is: u32 length of what follows, u8 type, u64 id, payload. Numbers are little-endian as the
// machine has them (both ends are the same binary on the same machine). Many calls are in flight at
// once; a call's id ties its chunks and its result to it.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>

namespace nineteen::plugin_host::wire {

enum Type : uint8_t {
  // host -> worker (each answered by one kResult with the same id, kServe by kChunk* then kResult)
  kInit = 1,
  kPluginDescribe = 2,
  kTaskCreate = 3,   // name, config -> u64 handle
  kTaskDestroy = 4,  // handle
  kTaskDescribe = 5, // handle -> bytes
  kSelfTest = 6,     // handle
  kSynthesize = 7,   // handle, u64 seed -> bytes
  kServe = 8,        // handle, request
  kCheck = 9,        // handle, u64 n, n requests, n responses -> n f64, reasons bytes
  kWork = 10,        // handle, request, response -> f64
  kValidate = 11,    // handle, request
  kFinalize = 12,
  kCancel = 13,       // id of a kServe in flight; no answer
  kInvokeChunk = 14,  // id of a worker's kInvoke; a chunk of the invoked task's answer
  kInvokeResult = 15, // id of a worker's kInvoke; i32 code, message
  // worker -> host
  kHello = 64,   // u8 ok; then u32 abi_major, abi_minor, struct_size, u32 present-mask, name, version; or a message
  kResult = 65,  // i32 code (0 = ok), message, then the call's own payload
  kChunk = 66,   // one emitted chunk of a kServe
  kLog = 67,     // i32 level, message
  kInvoke = 68,  // u64 context call id (0: none), task name, request; answered by kInvokeChunk* kInvokeResult
  kInvokeStop = 69,  // the plugin's on_chunk asked to stop the invoke with this id
};

// Which optional functions the real plugin has (kHello's mask).
enum Present : uint32_t {
  kHasDescribe = 1,
  kHasSelfTest = 2,
  kHasSynthesize = 4,
  kHasCheck = 8,
  kHasWork = 16,
  kHasValidate = 32,
};

constexpr uint32_t kMaxFrame = 1u << 30;

struct Out {
  std::string b;
  explicit Out(uint8_t type, uint64_t id) {
    b.resize(4);
    u8(type);
    u64(id);
  }
  void u8(uint8_t v) { b.push_back(static_cast<char>(v)); }
  void u32(uint32_t v) { b.append(reinterpret_cast<const char*>(&v), 4); }
  void i32(int32_t v) { b.append(reinterpret_cast<const char*>(&v), 4); }
  void u64(uint64_t v) { b.append(reinterpret_cast<const char*>(&v), 8); }
  void f64(double v) { b.append(reinterpret_cast<const char*>(&v), 8); }
  void bytes(std::string_view s) {
    u64(s.size());
    b.append(s.data(), s.size());
  }
  // The finished frame (length filled in).
  std::string& done() {
    uint32_t n = static_cast<uint32_t>(b.size() - 4);
    std::memcpy(&b[0], &n, 4);
    return b;
  }
};

struct BadFrame : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct In {
  const char* p;
  size_t n;
  uint8_t type = 0;
  uint64_t id = 0;
  In() : p(nullptr), n(0) {}
  explicit In(std::string_view frame) : p(frame.data()), n(frame.size()) {
    type = u8();
    id = u64();
  }
  // A reader of a result's payload (no frame header). `data` must outlive it.
  static In body(std::string_view data) {
    In in;
    in.p = data.data();
    in.n = data.size();
    return in;
  }
  void need(size_t k) {
    if (n < k) throw BadFrame("truncated frame");
  }
  uint8_t u8() {
    need(1);
    uint8_t v = static_cast<uint8_t>(*p);
    p += 1, n -= 1;
    return v;
  }
  template <typename T>
  T fixed() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, p, sizeof(T));
    p += sizeof(T), n -= sizeof(T);
    return v;
  }
  uint32_t u32() { return fixed<uint32_t>(); }
  int32_t i32() { return fixed<int32_t>(); }
  uint64_t u64() { return fixed<uint64_t>(); }
  double f64() { return fixed<double>(); }
  std::string_view bytes() {
    uint64_t k = u64();
    need(k);
    std::string_view v(p, k);
    p += k, n -= k;
    return v;
  }
  std::string_view rest() {
    std::string_view v(p, n);
    p += n, n = 0;
    return v;
  }
};

// Writes whole frames to a socket; thread-safe. Returns false once the peer is gone.
class Writer {
 public:
  explicit Writer(int fd = -1) : fd_(fd) {}
  void reset(int fd) {
    std::lock_guard<std::mutex> lock(mutex_);
    fd_ = fd;
  }
  bool send(Out& out) {
    const std::string& frame = out.done();
    std::lock_guard<std::mutex> lock(mutex_);
    if (fd_ < 0) return false;
    const char* p = frame.data();
    size_t left = frame.size();
    while (left > 0) {
      ssize_t k = ::send(fd_, p, left, MSG_NOSIGNAL);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) return false;
      p += k;
      left -= static_cast<size_t>(k);
    }
    return true;
  }

 private:
  std::mutex mutex_;
  int fd_;
};

// Reads frames from a socket, one at a time.
class Reader {
 public:
  explicit Reader(int fd = -1) : fd_(fd) {}
  void reset(int fd) {
    fd_ = fd;
    buffer_.clear();
  }
  enum Outcome { kFrame, kTimeout, kClosed };
  // Waits up to `timeout_ms` (-1: forever) for a whole frame into `frame`.
  Outcome next(std::string& frame, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
    while (true) {
      if (buffer_.size() >= 4) {
        uint32_t len;
        std::memcpy(&len, buffer_.data(), 4);
        if (len > kMaxFrame || len < 9) return kClosed;
        if (buffer_.size() >= 4 + static_cast<size_t>(len)) {
          frame.assign(buffer_, 4, len);
          buffer_.erase(0, 4 + static_cast<size_t>(len));
          return kFrame;
        }
      }
      int wait = -1;
      if (timeout_ms >= 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return kTimeout;
        wait = static_cast<int>(left.count());
      }
      pollfd pfd{fd_, POLLIN, 0};
      int r = ::poll(&pfd, 1, wait);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return kClosed;
      if (r == 0) return kTimeout;
      char chunk[65536];
      ssize_t k = ::read(fd_, chunk, sizeof(chunk));
      if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (k <= 0) return kClosed;
      buffer_.append(chunk, static_cast<size_t>(k));
    }
  }

 private:
  int fd_;
  std::string buffer_;
};

}  // namespace nineteen::plugin_host::wire
