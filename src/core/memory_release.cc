#include "core/memory_release.h"

#include <dlfcn.h>
#include <malloc.h>

namespace medai {

void release_free_memory() {
  // Looked up rather than linked, so the core library does not depend on
  // which allocator the executable brought (none under the sanitizers).
  using Release = void (*)();
  static const auto tcmalloc_release =
      reinterpret_cast<Release>(::dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory"));
  if (tcmalloc_release) {
    tcmalloc_release();
  } else {
    ::malloc_trim(0);
  }
}

}  // namespace medai
