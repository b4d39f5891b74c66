// Chapter 5's fast path runs its products through OpenBLAS: the course's choice of OpenBLAS's
// kernel (bp::choose_coretype), from given processor flags and the kernel OpenBLAS detected.
#include "bp/openblas_kernel.hpp"

#include <gtest/gtest.h>

namespace {

// Flags as /proc/cpuinfo lists them, abridged.
const char* const avx512 = "fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 avx512f avx512dq avx512cd avx512bw avx512vl";
const char* const avx2 = "fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2";
const char* const avx_only = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx";
const char* const no_avx = "fpu sse sse2 pni ssse3 sse4_1 sse4_2";

TEST(Ch05OpenBlas, AKernelThatFitsTheProcessorIsKept) {
    for (const auto& [flags, kernel] : {std::pair{avx512, "SkylakeX"}, {avx512, "Cooperlake"}, {avx2, "Haswell"}, {avx2, "Zen"}}) {
        const bp::KernelChoice c = bp::choose_coretype(flags, kernel, nullptr);
        EXPECT_EQ(c.coretype, "") << kernel;
        EXPECT_EQ(c.reason, "OpenBLAS's choice for this processor") << kernel;
    }
}

TEST(Ch05OpenBlas, AGenericKernelOnAnAvx512ProcessorBecomesSkylakeX) {
    const bp::KernelChoice c = bp::choose_coretype(avx512, "Prescott", nullptr);
    EXPECT_EQ(c.coretype, "SkylakeX");
    EXPECT_EQ(c.reason, "chosen by the course: OpenBLAS detected Prescott on a processor with AVX-512");
    // An AVX2 kernel on an AVX-512 processor is narrower than it could be too.
    EXPECT_EQ(bp::choose_coretype(avx512, "Haswell", nullptr).coretype, "SkylakeX");
}

TEST(Ch05OpenBlas, AGenericKernelOnAnAvx2ProcessorBecomesHaswell) {
    for (const char* kernel : {"Prescott", "Nehalem", "Sandybridge"}) {
        const bp::KernelChoice c = bp::choose_coretype(avx2, kernel, nullptr);
        EXPECT_EQ(c.coretype, "Haswell") << kernel;
        EXPECT_EQ(c.reason, std::string("chosen by the course: OpenBLAS detected ") + kernel + " on a processor with AVX2");
    }
    // AVX-512 F without BW, VL and DQ (a Xeon Phi) is not what SkylakeX's kernels need.
    EXPECT_EQ(bp::choose_coretype(std::string(avx2) + " avx512f avx512cd avx512er", "Prescott", nullptr).coretype, "Haswell");
}

TEST(Ch05OpenBlas, WithoutAvx2NothingChanges) {
    EXPECT_EQ(bp::choose_coretype(no_avx, "Prescott", nullptr).coretype, "");
    EXPECT_EQ(bp::choose_coretype(no_avx, "Nehalem", nullptr).coretype, "");
    EXPECT_EQ(bp::choose_coretype(avx_only, "Sandybridge", nullptr).coretype, "");
    EXPECT_EQ(bp::choose_coretype(avx_only, "Prescott", nullptr).coretype, "");
    EXPECT_EQ(bp::choose_coretype("", "Prescott", nullptr).coretype, "");  // no flags to read: no choice
}

TEST(Ch05OpenBlas, FlagsAreWholeWords) {
    // avx512fp16 is not avx512f; fma4 is not fma.
    EXPECT_EQ(bp::choose_coretype("sse2 avx avx2 fma4 avx512fp16", "Prescott", nullptr).coretype, "");
    EXPECT_EQ(bp::choose_coretype("sse2 avx avx2\tfma\n", "Prescott", nullptr).coretype, "Haswell");
}

TEST(Ch05OpenBlas, TheUsersOpenblasCoretypeIsRespected) {
    // Kept, but the line says what it costs.
    bp::KernelChoice c = bp::choose_coretype(avx512, "Prescott", "Prescott");
    EXPECT_EQ(c.coretype, "");
    EXPECT_EQ(c.reason, "set by OPENBLAS_CORETYPE; SkylakeX would be faster on this processor");
    EXPECT_EQ(bp::choose_coretype(avx2, "Haswell", "haswell").reason, "set by OPENBLAS_CORETYPE");  // OpenBLAS ignores case
    c = bp::choose_coretype(avx512, "Cooperlake", "Skylake");  // a name OpenBLAS does not have: it chose by itself
    EXPECT_EQ(c.coretype, "");
    EXPECT_EQ(c.reason, "OpenBLAS's own choice: OPENBLAS_CORETYPE=Skylake names no kernel it has");
}

TEST(Ch05OpenBlas, AnUnknownKernelOrAFixedBuildIsKept) {
    EXPECT_EQ(bp::choose_coretype(avx512, "SapphireRapids", nullptr).coretype, "");  // a newer OpenBLAS's
    const bp::KernelChoice c = bp::choose_coretype(avx512, "Prescott", nullptr, false);
    EXPECT_EQ(c.coretype, "");
    EXPECT_EQ(c.reason, "the only one this OpenBLAS was built with");
}

TEST(Ch05OpenBlas, TheLineNamesTheLibraryAndItsKernel) {
    const std::string line = bp::products_kernel_line();
    if (bp::openblas_kernel().empty()) {
        EXPECT_EQ(line, "Eigen (no OpenBLAS in this build)");
    } else {
        EXPECT_EQ(line.rfind("OpenBLAS ", 0), 0U) << line;
        EXPECT_NE(line.find(", kernel " + bp::openblas_kernel() + " ("), std::string::npos) << line;
    }
}

}  // namespace
