#pragma once
// Hands memory the allocator holds free back to the kernel. The executables
// run on tcmalloc (docs/adr/0020), which keeps freed pages for reuse — what
// makes training fast — so after a large job (training, an app run) the
// server calls this, and its resident size falls back instead of staying at
// the job's peak. Works whichever allocator the process has: tcmalloc's
// ReleaseFreeMemory when it is loaded, glibc's malloc_trim otherwise.

namespace medai {

void release_free_memory();

}  // namespace medai
