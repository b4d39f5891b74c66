#include "bp/openblas_kernel.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <set>
#include <utility>

#include <unistd.h>

#if defined(BP_HAVE_OPENBLAS)
#include <cblas.h>
#endif

namespace bp {

namespace {

// The widest vector instructions a kernel uses, or a processor offers, in increasing order.
enum class Vectors { unknown, sse, avx, avx2, avx512 };

// OpenBLAS compares the names in OPENBLAS_CORETYPE without regard to case.
bool same_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t k = 0; k < a.size(); ++k)
        if (std::tolower(static_cast<unsigned char>(a[k])) != std::tolower(static_cast<unsigned char>(b[k]))) return false;
    return true;
}

// OpenBLAS 0.3.21's x86-64 kernels (the names of its driver/others/dynamic.c) by the widest
// vectors they use. Excavator and Zen are tuned for processors of their own and left alone.
Vectors kernel_vectors(std::string_view kernel) {
    static const std::pair<const char*, Vectors> kernels[] = {
        {"SkylakeX", Vectors::avx512}, {"Cooperlake", Vectors::avx512}, {"Haswell", Vectors::avx2},  {"Zen", Vectors::avx2},
        {"Excavator", Vectors::avx2},  {"Sandybridge", Vectors::avx},   {"Bulldozer", Vectors::avx}, {"Piledriver", Vectors::avx},
        {"Steamroller", Vectors::avx}, {"Prescott", Vectors::sse},      {"Katmai", Vectors::sse},    {"Coppermine", Vectors::sse},
        {"Northwood", Vectors::sse},   {"Banias", Vectors::sse},        {"Atom", Vectors::sse},      {"Core2", Vectors::sse},
        {"Penryn", Vectors::sse},      {"Dunnington", Vectors::sse},    {"Nehalem", Vectors::sse},   {"Athlon", Vectors::sse},
        {"Opteron", Vectors::sse},     {"Opteron_SSE3", Vectors::sse},  {"Barcelona", Vectors::sse}, {"Nano", Vectors::sse},
        {"Bobcat", Vectors::sse}};
    for (const auto& [name, vectors] : kernels)
        if (same_name(kernel, name)) return vectors;
    return Vectors::unknown;  // a newer OpenBLAS's kernel: it knows better than this table
}

// What SkylakeX's kernels need (AVX-512 F, BW, VL and DQ), else Haswell's (AVX2 and FMA).
Vectors processor_vectors(std::string_view flags) {
    std::set<std::string_view> has;
    for (std::size_t start = 0; start < flags.size();) {
        const std::size_t end = std::min(flags.find_first_of(" \t\n", start), flags.size());
        if (end > start) has.insert(flags.substr(start, end - start));
        start = end + 1;
    }
    const auto all = [&](std::initializer_list<std::string_view> names) {
        for (const std::string_view name : names)
            if (has.count(name) == 0) return false;
        return true;
    };
    if (!all({"avx2", "fma"})) return all({"avx"}) ? Vectors::avx : Vectors::sse;
    return all({"avx512f", "avx512bw", "avx512vl", "avx512dq"}) ? Vectors::avx512 : Vectors::avx2;
}

// Carries the reason of the course's choice to the program started again with the kernel.
constexpr const char* reason_variable = "BP_OPENBLAS_KERNEL_REASON";

// The reason the course chose the kernel, once the program has started again with it.
[[maybe_unused]] std::string& course_reason() {
    static std::string reason;
    return reason;
}

[[maybe_unused]] std::string cpu_flags() {
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("flags", 0) == 0 && line.find(':') != std::string::npos) return line.substr(line.find(':') + 1);
    return "";  // not Linux on x86: nothing to choose from
}

#if defined(BP_HAVE_OPENBLAS)
bool dynamic_arch() { return std::strstr(openblas_get_config(), "DYNAMIC_ARCH") != nullptr; }

KernelChoice choice_here() {
    return choose_coretype(cpu_flags(), openblas_get_corename(), std::getenv("OPENBLAS_CORETYPE"), dynamic_arch());
}
#endif

}  // namespace

//! [choose_coretype]
KernelChoice choose_coretype(std::string_view flags, std::string_view detected, const char* user, bool dynamic) {
    if (!dynamic)
        return {"", std::string("the only one this OpenBLAS was built with") +
                        (user != nullptr ? "; OPENBLAS_CORETYPE does nothing to it" : "")};
    const Vectors offered = processor_vectors(flags), used = kernel_vectors(detected);
    const bool narrower = used != Vectors::unknown && offered >= Vectors::avx2 && offered > used;
    const std::string better = offered == Vectors::avx512 ? "SkylakeX" : "Haswell";
    if (user != nullptr) {  // respected; but the user may not know that it costs speed
        const std::string note = narrower ? "; " + better + " would be faster on this processor" : "";
        if (same_name(user, detected)) return {"", "set by OPENBLAS_CORETYPE" + note};
        return {"", "OpenBLAS's own choice: OPENBLAS_CORETYPE=" + std::string(user) + " names no kernel it has" + note};
    }
    if (!narrower) return {"", "OpenBLAS's choice for this processor"};
    return {better, "chosen by the course: OpenBLAS detected " + std::string(detected) + " on a processor with " +
                        (offered == Vectors::avx512 ? "AVX-512" : "AVX2")};
}
//! [choose_coretype]

void choose_openblas_kernel(char** argv) {
#if defined(BP_HAVE_OPENBLAS)
    if (const char* reason = std::getenv(reason_variable)) {  // started again by the lines below
        const char* set = std::getenv("OPENBLAS_CORETYPE");
        if (set != nullptr && same_name(openblas_get_corename(), set)) course_reason() = reason;
        unsetenv(reason_variable);  // not for the programs this one starts
        return;
    }
    const KernelChoice choice = choice_here();
    if (choice.coretype.empty()) return;
    // OpenBLAS read its kernel when it loaded, before main: only a new start can change it.
    setenv("OPENBLAS_CORETYPE", choice.coretype.c_str(), 1);
    setenv(reason_variable, choice.reason.c_str(), 1);
    std::cout.flush();
    execv("/proc/self/exe", argv);
    const int error = errno;  // still here: the exec failed; carry on with OpenBLAS's kernel
    unsetenv("OPENBLAS_CORETYPE");
    unsetenv(reason_variable);
    course_reason() =
        "OpenBLAS's choice: starting again with OPENBLAS_CORETYPE=" + choice.coretype + " failed (" + std::strerror(error) + ")";
#else
    (void)argv;
#endif
}

std::string openblas_kernel() {
#if defined(BP_HAVE_OPENBLAS)
    return openblas_get_corename();
#else
    return "";
#endif
}

std::string products_kernel_line() {
#if defined(BP_HAVE_OPENBLAS)
    const std::string config = openblas_get_config();  // "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ..."
    const std::string version = config.substr(0, config.find(' ', config.find(' ') + 1));
    std::string reason = course_reason();
    if (reason.empty()) {
        const KernelChoice choice = choice_here();
        reason = choice.coretype.empty()
                     ? choice.reason
                     : "OpenBLAS's choice; " + choice.coretype + " would be faster here (OPENBLAS_CORETYPE=" + choice.coretype + ")";
    }
    return version + ", kernel " + openblas_get_corename() + " (" + reason + ")";
#else
    return "Eigen (no OpenBLAS in this build)";
#endif
}

}  // namespace bp
