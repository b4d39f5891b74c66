// The grader's report channel (--report-fd), kept from the code under test. That code runs in
// this process, so the descriptor is written by a thread of its own, started before any test,
// with every signal blocked; the thread that runs the tests is then put under a seccomp filter
// that ends the process if it writes on the descriptor, copies it, or passes descriptors on.
// What code written against the grader can still do is change this process's memory (the
// records on their way to the thread); no test run inside the code's own process prevents that.
#include "report.hpp"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <vector>

namespace bp_test {

ReportChannel::ReportChannel(int fd) : fd_(fd) {
    // The thread starts with every signal blocked: a handler the tests' code installs never runs
    // on it (a signal for this thread waits, unhandled).
    sigset_t all, before;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &before);
    thread_ = std::thread([this] { run(); });
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

ReportChannel::~ReportChannel() {
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

void ReportChannel::write_line(const std::string& line) {
    std::unique_lock<std::mutex> lock(mutex_);
    pending_ = line + "\n";
    has_pending_ = true;
    changed_.notify_all();
    changed_.wait(lock, [this] { return !has_pending_; });  // written before the test goes on
}

void ReportChannel::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return has_pending_ || stop_; });
        if (has_pending_) {
            for (std::size_t done = 0; done < pending_.size();) {
                const ssize_t n = ::write(fd_, pending_.data() + done, pending_.size() - done);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) break;  // the grader is gone: nothing to tell
                done += static_cast<std::size_t>(n);
            }
            has_pending_ = false;
            changed_.notify_all();
        } else if (stop_) {
            return;
        }
    }
}

std::string refuse_unless_alone() {
    std::size_t threads = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/task", ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec))
        ++threads;
    if (ec) threads = 1;  // no /proc here: the threads cannot be counted, the children still can
    siginfo_t child{};
    const bool has_child = waitid(P_ALL, 0, &child, WEXITED | WSTOPPED | WNOHANG | WNOWAIT) == 0;  // ECHILD: none
    if (threads > 1 || has_child)
        return std::string("code started ") + (threads > 1 ? "a thread" : "a process") +
               " before the tests began (in a static object's constructor?), which could write on the grader's report channel";
    return "";
}

namespace {

#if defined(__x86_64__)
constexpr std::uint32_t this_arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr std::uint32_t this_arch = AUDIT_ARCH_AARCH64;
#else
constexpr std::uint32_t this_arch = 0;  // no filter: the guard says so
#endif

// Where the filter reads the low 32 bits of argument i (a descriptor is an int: the kernel
// ignores the high bits, so the filter must too).
constexpr std::uint32_t arg_low(int i) {
    return static_cast<std::uint32_t>(offsetof(seccomp_data, args) + 8 * i + (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 0 : 4));
}

// A seccomp program built from rules; each rule ends the process when it matches, and a call
// that no rule matches is allowed.
class Filter {
public:
    Filter() {
        load(offsetof(seccomp_data, arch));
        code_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, this_arch, 1, 0));
        kill();  // another system call table (32-bit calls on x86-64) would bypass the numbers below
#if defined(__x86_64__)
        load(offsetof(seccomp_data, nr));
        code_.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1));  // the x32 numbers
        kill();
#endif
    }
    // The call, whatever its arguments.
    void any(long nr) {
        load(offsetof(seccomp_data, nr));
        code_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(nr), 0, 1));
        kill();
    }
    // The call with argument i equal to fd.
    void on_fd(long nr, int i, int fd) {
        load(offsetof(seccomp_data, nr));
        code_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(nr), 0, 3));
        load(arg_low(i));
        code_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(fd), 0, 1));
        kill();
    }
    // fcntl(fd, F_DUPFD or F_DUPFD_CLOEXEC, ...): a copy of fd.
    void fcntl_dup(int fd) {
        load(offsetof(seccomp_data, nr));
        code_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fcntl, 0, 6));
        load(arg_low(0));
        code_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(fd), 0, 4));
        load(arg_low(1));
        code_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, F_DUPFD, 1, 0));
        code_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, F_DUPFD_CLOEXEC, 0, 1));
        kill();
    }
    // Installs it on the calling thread (not the others: the channel's thread stays free).
    std::string install() {
        code_.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
        const sock_fprog program{static_cast<unsigned short>(code_.size()), code_.data()};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return std::string("no_new_privs: ") + std::strerror(errno);
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) return std::string("seccomp: ") + std::strerror(errno);
        return "";
    }

private:
    void load(std::uint32_t offset) { code_.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset)); }
    void kill() { code_.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)); }
    std::vector<sock_filter> code_;
};

}  // namespace

std::string guard_report_channel(int fd) {
    if (this_arch == 0) return "no seccomp filter is written for this processor";
    // Descriptors the program did not open itself (a copy of the channel made before main) go.
    close_range(static_cast<unsigned>(fd) + 1, ~0U, 0);
    Filter filter;
    // Writing on it.
    for (const long nr : {SYS_write, SYS_writev, SYS_pwrite64, SYS_pwritev, SYS_pwritev2, SYS_sendto, SYS_vmsplice})
        filter.on_fd(nr, 0, fd);
    filter.on_fd(SYS_sendfile, 0, fd);         // sendfile(out, in, ...)
    filter.on_fd(SYS_splice, 2, fd);           // splice(in, off, out, ...)
    filter.on_fd(SYS_tee, 1, fd);              // tee(in, out, ...)
    filter.on_fd(SYS_copy_file_range, 2, fd);  // copy_file_range(in, off, out, ...)
    // Copying it: a copy under another number would be written unseen.
#ifdef SYS_dup2
    filter.on_fd(SYS_dup2, 0, fd);
#endif
    filter.on_fd(SYS_dup, 0, fd);
    filter.on_fd(SYS_dup3, 0, fd);
    filter.fcntl_dup(fd);
    // Passing descriptors (a copy of it, through a socket of its own), taking another process's,
    // writing through the kernel's ring, or into the channel's thread.
    for (const long nr : {SYS_sendmsg, SYS_sendmmsg, SYS_pidfd_getfd, SYS_io_uring_setup, SYS_ptrace, SYS_process_vm_writev})
        filter.any(nr);
    return filter.install();
}

}  // namespace bp_test
