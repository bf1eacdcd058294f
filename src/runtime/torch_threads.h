#pragma once
// LibTorch thread settings. LibTorch starts with one intra-op thread on this
// platform, so medai sets both pools explicitly: inter-op once per process
// (LibTorch refuses a second call), intra-op per inferring thread because the
// OpenMP setting belongs to the calling thread.
namespace medai::runtime {

// Process-wide defaults used when a ModelSpec asks for threads = 0. Call
// once at start-up (serve, check-run, benchmarks) before the first
// inference; later calls change only the intra-op default. Values < 1 mean
// "number of online CPUs".
void configure_torch_threads(int intra_op_threads, int inter_op_threads);

// The intra-op default currently in force.
int default_torch_threads();

}  // namespace medai::runtime
