// Which OpenBLAS kernel set a process should use, from the instruction sets the CPU reports.
//
// OpenBLAS (the BLAS libtorch calls on Debian) picks its kernels from the CPU's family and model
// numbers. A virtual machine that hides them (lscpu: "Intel(R) Xeon(R) Processor") gets its oldest
// kernels, SSE3 "Prescott": measured on such an AVX-512 machine, a 1024² sgemm ran at 38 GFLOP/s
// instead of 201 with the SkylakeX kernels, and the LLM checker 3.5× slower. OpenBLAS reads
// OPENBLAS_CORETYPE once, when it is loaded: a process that loads libtorch through a plugin sets it
// before the first dlopen; a program linked to libtorch must set it and start itself again.
// Header-only and free of libtorch, so the host can call it.
#pragma once

#include <cpuid.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace nineteen::sdk {

struct CpuVectorFeatures {
  bool avx2 = false, fma = false;
  bool avx512f = false, avx512dq = false, avx512bw = false, avx512vl = false;
};

// The kernel set for these features, or nullptr where OpenBLAS's own choice cannot be bettered.
// SkylakeX is the newest AVX-512 set Debian 12's OpenBLAS (0.3.21) builds; it also serves AMD's
// AVX-512 CPUs. Haswell is its AVX2 + FMA set (what it gives AMD Zen too).
inline const char* openblas_core_for(const CpuVectorFeatures& f) {
  if (f.avx512f && f.avx512dq && f.avx512bw && f.avx512vl) return "SkylakeX";
  if (f.avx2 && f.fma) return "Haswell";
  return nullptr;
}

// What this CPU reports, counting a register set only where the OS saves it (XGETBV).
inline CpuVectorFeatures this_cpu_vector_features() {
  CpuVectorFeatures f;
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = c & (1u << 27), avx = c & (1u << 28), fma = c & (1u << 12);
  if (!osxsave || !avx) return f;
  uint32_t xcr0_low = 0, xcr0_high = 0;
  __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
  const bool ymm_saved = (xcr0_low & 0x6) == 0x6, zmm_saved = (xcr0_low & 0xe6) == 0xe6;
  if (!ymm_saved || !__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
  f.fma = fma;
  f.avx2 = b & (1u << 5);
  if (zmm_saved) {
    f.avx512f = b & (1u << 16);
    f.avx512dq = b & (1u << 17);
    f.avx512bw = b & (1u << 30);
    f.avx512vl = b & (1u << 31);
  }
  return f;
}

// Sets OPENBLAS_CORETYPE for this CPU unless the user set it; returns the value in force (or
// nullptr: OpenBLAS chooses). Call before OpenBLAS is loaded.
inline const char* choose_openblas_core() {
  if (const char* set = std::getenv("OPENBLAS_CORETYPE")) return set;
  const char* core = openblas_core_for(this_cpu_vector_features());
  if (core) ::setenv("OPENBLAS_CORETYPE", core, /*overwrite=*/0);
  return core;
}

// For a program linked to libtorch, where OpenBLAS is loaded before main: sets the kernel set and
// starts the program again, once. Returns where there is nothing to set (or exec failed).
inline void restart_with_openblas_core(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") || !choose_openblas_core()) return;
  ::execv("/proc/self/exe", argv);
}

}  // namespace nineteen::sdk
