/// \file
/// Which OpenBLAS kernel runs FastMlp's products, and the course's choice of a better one.
/// OpenBLAS built with DYNAMIC_ARCH (Debian's) picks its kernels from the processor's model
/// when it loads. Where the model is masked, as in many virtual machines, it can fall back to
/// a generic kernel (Prescott, SSE3) on a processor with AVX-512, three to four times slower.
/// The variable OPENBLAS_CORETYPE overrides the choice, but only if it is set before the library loads: so
/// a program that links OpenBLAS decides at the start of main and, to change the kernel, starts
/// itself again with the variable set (choose_openblas_kernel).
#pragma once

#include <string>
#include <string_view>

namespace bp {

/// The course's decision about OpenBLAS's kernel.
struct KernelChoice {
    std::string coretype;  ///< the OPENBLAS_CORETYPE to start again with; empty: keep this kernel
    std::string reason;    ///< why, as the programs print it after the kernel's name
};

/// The decision alone, from what the program sees: the processor's `flags` as /proc/cpuinfo
/// lists them, the kernel OpenBLAS `detected` (openblas_get_corename()), OPENBLAS_CORETYPE as
/// the user set it (nullptr: unset; a setting is respected, whatever it says, and the reason
/// then says whether a wider kernel would be faster), and whether this
/// OpenBLAS picks its kernel when it loads (DYNAMIC_ARCH; otherwise the variable does nothing).
/// A kernel of narrower vectors than the flags offer is replaced by SkylakeX (avx512f, bw, vl
/// and dq) or Haswell (avx2 and fma); a kernel it does not know is kept.
KernelChoice choose_coretype(std::string_view flags, std::string_view detected, const char* user, bool dynamic_arch = true);

/// Call first in main. With OpenBLAS, if choose_coretype picks another kernel, sets
/// OPENBLAS_CORETYPE and replaces the process by the same program with the same arguments
/// (execv of /proc/self/exe); otherwise returns. Without OpenBLAS it does nothing.
void choose_openblas_kernel(char** argv);

/// What FastMlp's products run on, in one line: "OpenBLAS 0.3.21, kernel SkylakeX (chosen by
/// the course: OpenBLAS detected Prescott on a processor with AVX-512)", or "Eigen (no
/// OpenBLAS in this build)".
std::string products_kernel_line();

/// The kernel alone ("SkylakeX"), or "" without OpenBLAS.
std::string openblas_kernel();

}  // namespace bp
