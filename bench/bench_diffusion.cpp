// Seconds per image of the reference diffusion pipeline (tiny model unless a folder is given), for
// text-to-image at 64×64 and 256×256 with 8 steps, one thread. Prints a table; not a test.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "nineteen/sdk/blas_core.hpp"
#include "diffusion_pipeline.hpp"

int main(int argc, char** argv) {
  nineteen::sdk::restart_with_openblas_core(argv);  // OpenBLAS's kernels by CPU (blas_core.hpp)
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_diffusion MODEL_DIR [THREADS]\n  (make one: nineteen models make tiny-diffusion --out DIR)\n");
    return 2;
  }
  const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  at::set_num_threads(threads);
  nineteen::diffusion::DiffusionPipeline pipeline(argv[1]);
  std::printf("model %s, %d thread(s), %u cores\n", argv[1], threads, std::thread::hardware_concurrency());
  std::printf("%-10s %6s %5s %8s %12s\n", "size", "steps", "cfg", "images", "s/image");
  for (int side : {64, 256}) {
    for (double cfg : {1.0, 7.5}) {
      nineteen::diffusion::GenerationSettings s;
      s.prompt = "a lighthouse at sunset, oil painting";
      s.width = s.height = side;
      s.steps = 8;
      s.cfg_scale = cfg;
      pipeline.generate(s);  // warm-up
      const int images = side <= 64 ? 5 : 2;
      auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < images; ++i) {
        s.seed = uint64_t(i);
        pipeline.generate(s);
      }
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / images;
      std::printf("%-10s %6d %5.1f %8d %12.3f\n", (std::to_string(side) + "x" + std::to_string(side)).c_str(), 8, cfg,
                  images, seconds);
    }
  }
  return 0;
}
