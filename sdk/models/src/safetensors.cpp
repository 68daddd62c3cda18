// Safetensors: a validating, memory-mapped reader, a deterministic writer, and sharded sets.
#include "nineteen/models/safetensors.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include "nineteen/sdk/error.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::models {

namespace fs = std::filesystem;
using sdk::Error;

namespace {

// A header this large is certainly corrupt; the biggest real checkpoints use a few MB.
constexpr uint64_t kMaxHeaderBytes = 100u << 20;

Error file_error(const std::string& path, const std::string& what) {
  return Error(NT_INVALID_ARGUMENT, "safetensors file " + path + ": " + what);
}

bool parse_dtype(std::string_view text, DType& out) {
  if (text == "F32") out = DType::F32;
  else if (text == "F16") out = DType::F16;
  else if (text == "BF16") out = DType::BF16;
  else if (text == "I64") out = DType::I64;
  else return false;
  return true;
}

}  // namespace

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::F32: return 4;
    case DType::F16: return 2;
    case DType::BF16: return 2;
    case DType::I64: return 8;
  }
  return 0;
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::I64: return "I64";
  }
  return "?";
}

int64_t TensorView::element_count() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string TensorView::shape_text() const {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

struct SafetensorsFile::Mapping {
  std::string path;
  void* base = nullptr;
  size_t size = 0;
  std::vector<TensorView> tensors;
  std::map<std::string, std::string> metadata;

  ~Mapping() {
    if (base) munmap(base, size);
  }
};

SafetensorsFile::SafetensorsFile(std::unique_ptr<Mapping> mapping) : mapping_(std::move(mapping)) {}
SafetensorsFile::SafetensorsFile(SafetensorsFile&&) noexcept = default;
SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&&) noexcept = default;
SafetensorsFile::~SafetensorsFile() = default;

const std::string& SafetensorsFile::path() const { return mapping_->path; }
const std::vector<TensorView>& SafetensorsFile::tensors() const { return mapping_->tensors; }
const std::map<std::string, std::string>& SafetensorsFile::metadata() const { return mapping_->metadata; }

const TensorView* SafetensorsFile::find(std::string_view name) const {
  for (const TensorView& t : mapping_->tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  auto m = std::make_unique<Mapping>();
  m->path = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(NT_NOT_FOUND, "safetensors file " + path + ": cannot open: " + std::strerror(errno));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw file_error(path, std::string("cannot stat: ") + std::strerror(err));
  }
  m->size = static_cast<size_t>(st.st_size);
  if (m->size < 8) {
    ::close(fd);
    throw file_error(path, "is " + std::to_string(m->size) +
                               " bytes, shorter than the 8-byte header length; the file is truncated");
  }
  void* base = mmap(nullptr, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
  int map_errno = errno;
  ::close(fd);
  if (base == MAP_FAILED) throw file_error(path, std::string("cannot map: ") + std::strerror(map_errno));
  m->base = base;
  const auto* bytes = static_cast<const std::byte*>(base);

  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | std::to_integer<uint64_t>(bytes[i]);
  if (header_len > kMaxHeaderBytes || header_len > m->size - 8) {
    throw file_error(path, "header length field says " + std::to_string(header_len) + " bytes but the file has " +
                               std::to_string(m->size - 8) +
                               " after it; the file is truncated or not a safetensors file");
  }
  const std::byte* data_begin = bytes + 8 + header_len;
  const uint64_t data_size = m->size - 8 - header_len;

  std::string_view header(reinterpret_cast<const char*>(bytes + 8), header_len);
  rapidjson::Document doc;
  try {
    doc = sdk::parse_json(header, "safetensors file " + path + " header");
  } catch (const Error& e) {
    throw file_error(path, std::string("corrupt header: ") + e.what());
  }
  if (!doc.IsObject()) throw file_error(path, "header is not a JSON object");

  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    std::string name(it->name.GetString(), it->name.GetStringLength());
    const rapidjson::Value& v = it->value;
    if (name == "__metadata__") {
      if (!v.IsObject()) throw file_error(path, "\"__metadata__\" is not an object of strings");
      for (auto mit = v.MemberBegin(); mit != v.MemberEnd(); ++mit) {
        if (!mit->value.IsString()) throw file_error(path, "\"__metadata__\" value is not a string");
        m->metadata[mit->name.GetString()] = mit->value.GetString();
      }
      continue;
    }
    auto bad = [&](const std::string& what) { return file_error(path, "tensor \"" + name + "\": " + what); };
    if (!v.IsObject()) throw bad("entry is not a JSON object");
    for (const TensorView& earlier : m->tensors) {
      if (earlier.name == name) throw bad("appears twice in the header");
    }
    TensorView t;
    t.name = name;
    auto dt = v.FindMember("dtype");
    if (dt == v.MemberEnd() || !dt->value.IsString()) throw bad("missing \"dtype\"");
    if (!parse_dtype(dt->value.GetString(), t.dtype)) {
      throw bad(std::string("dtype ") + dt->value.GetString() + " is not supported (expected F32, F16, BF16 or I64)");
    }
    auto sh = v.FindMember("shape");
    if (sh == v.MemberEnd() || !sh->value.IsArray()) throw bad("missing \"shape\" array");
    uint64_t elements = 1;
    for (const auto& d : sh->value.GetArray()) {
      if (!d.IsUint64()) throw bad("shape holds a value that is not a non-negative integer");
      uint64_t dim = d.GetUint64();
      if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
          (dim != 0 && elements > std::numeric_limits<uint64_t>::max() / 8 / dim)) {
        throw bad("shape is too large");
      }
      elements *= dim;
      t.shape.push_back(static_cast<int64_t>(dim));
    }
    auto off = v.FindMember("data_offsets");
    if (off == v.MemberEnd() || !off->value.IsArray() || off->value.Size() != 2 || !off->value[0].IsUint64() ||
        !off->value[1].IsUint64()) {
      throw bad("\"data_offsets\" must be [begin, end] with non-negative integers");
    }
    uint64_t begin = off->value[0].GetUint64(), end = off->value[1].GetUint64();
    if (begin > end) throw bad("data_offsets begin " + std::to_string(begin) + " > end " + std::to_string(end));
    if (end > data_size) {
      throw bad("data_offsets end " + std::to_string(end) + " is past the data section (" + std::to_string(data_size) +
                " bytes); the file is truncated or the header is corrupt");
    }
    uint64_t expected = elements * dtype_size(t.dtype);
    if (end - begin != expected) {
      throw bad("shape " + t.shape_text() + " of " + dtype_name(t.dtype) + " needs " + std::to_string(expected) +
                " bytes but data_offsets span " + std::to_string(end - begin));
    }
    t.data = data_begin + begin;
    t.byte_size = static_cast<size_t>(end - begin);
    m->tensors.push_back(std::move(t));
  }

  std::sort(m->tensors.begin(), m->tensors.end(),
            [](const TensorView& a, const TensorView& b) { return a.data < b.data; });
  for (size_t i = 1; i < m->tensors.size(); ++i) {
    const TensorView& prev = m->tensors[i - 1];
    const TensorView& cur = m->tensors[i];
    if (cur.data < prev.data + prev.byte_size) {
      throw file_error(path, "tensors \"" + prev.name + "\" and \"" + cur.name + "\" overlap");
    }
  }
  return SafetensorsFile(std::move(m));
}

SafetensorsSet SafetensorsSet::open_dir(const std::string& dir) {
  SafetensorsSet set;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw Error(NT_NOT_FOUND, "model directory " + dir + " does not exist or is not a directory");
  }
  std::vector<std::string> shard_names;
  fs::path index_path = fs::path(dir) / "model.safetensors.index.json";
  if (fs::exists(index_path, ec)) {
    std::ifstream in(index_path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    rapidjson::Document doc = sdk::parse_json(text, index_path.string());
    sdk::JsonObject root(doc, index_path.string());
    sdk::JsonObject weight_map = root.object("weight_map");
    std::set<std::string> unique;
    for (auto it = doc["weight_map"].MemberBegin(); it != doc["weight_map"].MemberEnd(); ++it) {
      unique.insert(weight_map.string(it->name.GetString()));
    }
    for (const std::string& name : unique) {
      if (name.find('/') != std::string::npos || name == "..") {
        throw Error(NT_INVALID_ARGUMENT, index_path.string() + ": shard name \"" + name + "\" is not a plain file name");
      }
      shard_names.push_back(name);
    }
  } else {
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      std::string name = entry.path().filename().string();
      if (name.rfind("model", 0) == 0 && name.size() > 12 && name.substr(name.size() - 12) == ".safetensors") {
        shard_names.push_back(name);
      }
    }
    std::sort(shard_names.begin(), shard_names.end());
  }
  if (shard_names.empty()) {
    throw Error(NT_NOT_FOUND, "model directory " + dir +
                                  " holds no weights: expected model.safetensors, model-0000N-of-0000M.safetensors "
                                  "or model.safetensors.index.json");
  }
  for (const std::string& name : shard_names) {
    set.files_.push_back(SafetensorsFile::open((fs::path(dir) / name).string()));
  }
  for (size_t f = 0; f < set.files_.size(); ++f) {
    for (const TensorView& t : set.files_[f].tensors()) {
      auto [it, inserted] = set.index_.emplace(t.name, std::make_pair(f, &t));
      if (!inserted) {
        throw Error(NT_INVALID_ARGUMENT, "model directory " + dir + ": tensor \"" + t.name + "\" is in both " +
                                             set.files_[it->second.first].path() + " and " + set.files_[f].path());
      }
    }
  }
  return set;
}

const TensorView* SafetensorsSet::find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second.second;
}

std::string SafetensorsSet::file_of(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? std::string() : files_[it->second.first].path();
}

std::vector<std::string> SafetensorsSet::names() const {
  std::vector<std::string> out;
  for (const auto& [name, where] : index_) out.push_back(name);
  return out;
}

void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  std::set<std::string> seen;
  w.StartObject();
  if (!metadata.empty()) {
    w.Key("__metadata__");
    w.StartObject();
    for (const auto& [k, v] : metadata) {
      w.Key(k.c_str());
      w.String(v.c_str());
    }
    w.EndObject();
  }
  uint64_t offset = 0;
  for (const TensorToWrite& t : tensors) {
    if (!seen.insert(t.name).second) {
      throw Error(NT_INVALID_ARGUMENT, "writing " + path + ": tensor \"" + t.name + "\" given twice");
    }
    uint64_t elements = 1;
    for (int64_t d : t.shape) elements *= static_cast<uint64_t>(d);
    if (elements * dtype_size(t.dtype) != t.bytes.size()) {
      throw Error(NT_INVALID_ARGUMENT, "writing " + path + ": tensor \"" + t.name + "\" has " +
                                           std::to_string(t.bytes.size()) + " bytes, its shape needs " +
                                           std::to_string(elements * dtype_size(t.dtype)));
    }
    w.Key(t.name.c_str());
    w.StartObject();
    w.Key("dtype");
    w.String(dtype_name(t.dtype));
    w.Key("shape");
    w.StartArray();
    for (int64_t d : t.shape) w.Int64(d);
    w.EndArray();
    w.Key("data_offsets");
    w.StartArray();
    w.Uint64(offset);
    w.Uint64(offset + t.bytes.size());
    w.EndArray();
    w.EndObject();
    offset += t.bytes.size();
  }
  w.EndObject();
  std::string header(buffer.GetString(), buffer.GetSize());
  // Padding keeps the data 8-byte aligned in the mapping, as the format recommends.
  while (header.size() % 8 != 0) header.push_back(' ');

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(NT_INVALID_ARGUMENT, "cannot write " + path + ": " + std::strerror(errno));
  unsigned char len[8];
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>((n >> (8 * i)) & 0xff);
  out.write(reinterpret_cast<const char*>(len), 8);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  for (const TensorToWrite& t : tensors) out.write(t.bytes.data(), static_cast<std::streamsize>(t.bytes.size()));
  out.close();
  if (!out) throw Error(NT_INVALID_ARGUMENT, "writing " + path + " failed (disk full?)");
}

}  // namespace nineteen::models
