"""PyTorch's BLAS, for the headers of both speed comparisons (chapters 5 and 7): which library
its products go through and, for OpenBLAS, which kernel runs (OPENBLAS_CORETYPE, or what it
detected). Imported by each chapter's benchmark_pytorch.py, in the Python that runs PyTorch."""
import ctypes

import torch


def blas():
    """PyTorch's BLAS, and its kernel if it is OpenBLAS: (a line for the header, the kernel or "")."""
    loaded = sorted({line.split()[-1] for line in open("/proc/self/maps") if ".so" in line and "blas" in line.lower()})
    for path in loaded:  # Debian's PyTorch loads OpenBLAS as libblas.so.3
        try:
            lib = ctypes.CDLL(path)
            corename, config = lib.openblas_get_corename, lib.openblas_get_config
        except (OSError, AttributeError):
            continue
        corename.restype = config.restype = ctypes.c_char_p
        kernel = corename().decode()
        return f"{' '.join(config().decode().split()[:2])}, kernel {kernel}", kernel
    settings = torch.__config__.show().replace(",", " ").split()
    info = next((s.split("=", 1)[1] for s in settings if s.startswith("BLAS_INFO=")), "unknown")
    return {"mkl": "MKL", "open": "OpenBLAS"}.get(info, info), ""
