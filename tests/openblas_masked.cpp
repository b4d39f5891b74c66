// A stand-in for a processor whose model OpenBLAS does not know, for openblas_kernel_test.sh,
// which preloads it (LD_PRELOAD): openblas_get_corename() answers Prescott, the generic kernel
// OpenBLAS falls back to there, unless OPENBLAS_CORETYPE names a kernel.
#include <cstdlib>

extern "C" const char* openblas_get_corename() {
    const char* set = std::getenv("OPENBLAS_CORETYPE");
    return set != nullptr ? set : "Prescott";
}
