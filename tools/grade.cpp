// course_grade: grades one submission or a whole class (./course grade).
//
//   course_grade [--out DIR] [--jobs N] [--root DIR] [SUBMISSION]
//
// A submission is a student edition folder (or any folder holding exercises/), a .tar.gz, .tgz,
// .tar or .zip of one, or a git repository or bundle. A folder that is none of these is a class:
// each of its entries is a submission, named by the entry. One submission writes
// OUT/results.json (Gradescope), OUT/junit.xml and OUT/feedback.md and .html (for the student:
// per exercise, passed or the first failing test's message, the section to read, the points); a
// class writes them in OUT/NAME/ for each, and OUT/class-summary.md (the exercises most often
// not passed, with their most common first failure). Both write OUT/grades.csv, the gradebook:
// one row per submission, one column per exercise, the total.
//
// The library and the tests are built once (build/grade); per submission, only its exercise
// files are compiled (tools/grade_compile.sh, which replaces what does not compile by its stub)
// and the library relinked. The tests are then run by this program, not by ctest, because the
// code under test is the student's and may be hostile:
//   - each exercise's tests run in one process (resumed after a crash or a timeout, so one bad
//     test does not fail the others), in a new PID, network and mount namespace, as user
//     nobody, with limits on time, memory, processes and output, in an empty /tmp that
//     vanishes with it. When the process ends, the kernel ends every process it started.
//   - the process reports each test on a socket (--report-fd), not in a file, so there is no
//     file to forge; only the tests this program launched count, each once, against the list
//     of tests made from a trusted build, so a test that did not run is a failed test. In the
//     test program, only a thread of its own writes the socket; the tests run under a seccomp
//     filter that ends the process if they write it, copy it or pass descriptors on, and it
//     refuses to run if code started a thread or process before main (report_channel.cpp).
//   - a test that runs longer than ten times the reference solution's time (plus 2 s) is
//     stopped: a loop costs seconds.
//   - the results are written by this program, as root, where the graded code cannot write.
// Without root (a student grading their own work), or where a container forbids namespaces,
// the tests run without them (as the user, or as nobody when root): the process group is
// killed instead, and the limits still hold.
#include "report.hpp"
#include "report_files.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// ---- limits --------------------------------------------------------------------------------------

constexpr double compile_seconds = 900;                     // compiling one submission, all its files
constexpr double unpack_seconds = 120;                      // unpacking one
constexpr double startup_seconds = 15;                      // the test program loads the reference data first
constexpr double default_test_seconds = 10;                 // a test's limit when there is no reference time
constexpr double slack_seconds = 2, reference_factor = 10;  // limit = 2 s + 10 x the reference's time
constexpr int timeouts_per_exercise = 3;                    // then the exercise's other tests are not tried
constexpr rlim_t memory_bytes = rlim_t{2} << 30;            // address space
constexpr std::size_t output_bytes = std::size_t{8} << 20;  // what a test process may print
constexpr rlim_t file_bytes = rlim_t{64} << 20;             // a file it may write (in its own /tmp)
constexpr std::size_t max_report_line = 64 * 1024;          // a longer report line is cut
constexpr uid_t nobody_uid = 65534;
constexpr gid_t nobody_gid = 65534;

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
    if (!out) throw Failure("cannot write " + file.string());
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string seconds_text(double s) {
    std::ostringstream out;
    out.precision(s < 10 ? 2 : 3);
    out << s << " s";
    return out.str();
}

// ---- trusted commands (the build, tar, unzip, git) -------------------------------------------------

// Runs a command of ours (not the student's code) with its output in `log`; returns its exit
// status, or -1 if it could not start or was killed. With `seconds`, it and what it started are
// killed after that long (a compiler fed an endless #include, an archive that never ends): -2.
int run(const std::vector<std::string>& argv, const fs::path& log, const fs::path& cwd = {}, double seconds = 0) {
    const pid_t pid = fork();
    if (pid < 0) throw Failure("cannot start " + argv[0] + ": " + std::strerror(errno));
    if (pid == 0) {
        setsid();  // killed as a group
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
        std::vector<char*> args;
        args.reserve(argv.size() + 1);
        for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    int status = 0;
    const auto start = Clock::now();
    for (pid_t r; (r = waitpid(pid, &status, seconds > 0 ? WNOHANG : 0)) != pid;) {
        if (r < 0 && errno != EINTR) return -1;
        if (seconds > 0 && seconds_since(start) > seconds) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -2;
        }
        if (r == 0) usleep(50000);
    }
    kill(-pid, SIGKILL);  // anything it left behind
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// ---- the sandbox ---------------------------------------------------------------------------------

struct Sandbox {
    bool namespaces = false;          // new PID, network, mount and IPC namespaces (root, where allowed)
    bool as_nobody = geteuid() == 0;  // the tests run as user nobody (the grader is root)
    fs::path program;                 // course_tests
    fs::path private_dir;             // ours alone (0700): listings, unpacked submissions, reports
    fs::path work_dir;                // without namespaces: the tests' current folder
};

struct ChildSetup {
    const Sandbox* sandbox;
    std::vector<std::string> argv;
    int report_fd, output_fd;
    rlim_t cpu_seconds;
};

void set_limit(int resource, rlim_t value) {
    const rlimit limit{value, value};
    setrlimit(resource, &limit);
}

// In the child, before the test program starts: the namespaces' view, the limits, the user.
// Only async-signal-safe calls: this runs between fork and exec.
[[noreturn]] void become_test_process(const ChildSetup& s) {
    setsid();  // its own process group and session: no terminal, killed as a group
    // Signals as a new program expects them (an ignored SIGXFSZ or SIGPIPE would be inherited).
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
    if (s.sandbox->namespaces) {
        // A private /tmp (and /dev/shm, /var/tmp): empty, writable, gone when the namespace is.
        mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
        for (const char* dir : {"/tmp", "/dev/shm", "/var/tmp"}) mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=256m,mode=1777");
    }
    const int null_fd = ::open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    dup2(s.output_fd, 1);
    dup2(s.output_fd, 2);
    dup2(s.report_fd, 3);
    for (int fd = 4; fd < 1024; ++fd) close(fd);
    set_limit(RLIMIT_AS, memory_bytes);
    set_limit(RLIMIT_FSIZE, file_bytes);
    set_limit(RLIMIT_CPU, s.cpu_seconds);
    set_limit(RLIMIT_CORE, 0);
    set_limit(RLIMIT_NOFILE, 256);
    if (chdir(s.sandbox->namespaces ? "/tmp" : s.sandbox->work_dir.c_str()) != 0) _exit(126);
    if (s.sandbox->as_nobody) {
        set_limit(RLIMIT_NPROC, 64);  // a fork bomb stops here (counted for user nobody)
        if (setgroups(0, nullptr) != 0 || setgid(nobody_gid) != 0 || setuid(nobody_uid) != 0) _exit(126);
    }
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    std::vector<char*> args;
    args.reserve(s.argv.size() + 1);
    for (const std::string& a : s.argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    // One OpenBLAS thread: the test program refuses to run with threads it did not start.
    char path[] = "PATH=/usr/bin:/bin", home[] = "HOME=/tmp", lang[] = "LC_ALL=C", blas[] = "OPENBLAS_NUM_THREADS=1";
    char* env[] = {path, home, lang, blas, nullptr};
    execve(args[0], args.data(), env);
    _exit(127);
}

int clone_entry(void* setup) { become_test_process(*static_cast<ChildSetup*>(setup)); }

// Starts the test program. Isolated, it is the first process (init) of new PID, network, mount
// and IPC namespaces: when it ends, the kernel ends every process it started, detached or not.
pid_t start_test_process(ChildSetup& setup) {
    if (!setup.sandbox->namespaces) {
        const pid_t pid = fork();
        if (pid == 0) become_test_process(setup);
        return pid;
    }
    static std::vector<char> stack(1 << 20);
    return clone(clone_entry, stack.data() + stack.size(), CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | SIGCHLD, &setup);
}

void kill_test_process(const Sandbox& sandbox, pid_t pid) {
    kill(pid, SIGKILL);                            // with namespaces: their init, so all of them
    if (!sandbox.namespaces) kill(-pid, SIGKILL);  // otherwise its process group
}

// Once the test process has ended (and been waited for, so its id may be another process's
// now): without namespaces, what is left of its process group, whose id is not reused while
// any of it lives. With them, the kernel has already ended the rest.
void end_what_is_left(const Sandbox& sandbox, pid_t pid) {
    if (!sandbox.namespaces) kill(-pid, SIGKILL);
}

// Whether this machine lets us make the namespaces (a container may not): a child tries.
int try_namespaces(void*) {
    mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
    _exit(mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m") == 0 ? 0 : 1);
}
bool namespaces_work() {
    if (geteuid() != 0) return false;
    static std::vector<char> stack(1 << 16);
    const pid_t pid =
        clone(try_namespaces, stack.data() + stack.size(), CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | SIGCHLD, nullptr);
    if (pid < 0) return false;
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// ---- running one exercise's tests ------------------------------------------------------------------

struct Outcome {
    std::string status, blocker, message;  // pass, fail, todo, waiting
};

// The tests of one exercise and how long each took on the reference solutions.
struct ExerciseTests {
    std::string id, suite;
    std::vector<std::string> names;  // "Suite.Name"
};

struct Timing {
    std::map<std::string, double> reference;  // test -> seconds on the reference solutions
    double limit(const std::string& test) const {
        const auto it = reference.find(test);
        return it == reference.end() ? default_test_seconds : slack_seconds + reference_factor * it->second;
    }
};

std::string signal_reason(int signal) {
    switch (signal) {
        case SIGSEGV: return "crashed (segmentation fault: memory it does not own, such as an index out of range)";
        case SIGBUS: return "crashed (bus error: a bad memory access)";
        case SIGFPE: return "crashed (an arithmetic error, such as an integer division by zero)";
        case SIGABRT: return "aborted (std::abort, a failed assert, or an exception thrown where it cannot be caught)";
        case SIGXFSZ: return "wrote a file of more than " + std::to_string(file_bytes >> 20) + " MB and was stopped";
        case SIGXCPU: return "used up its processor time and was stopped (a loop that does not end?)";
        case SIGKILL: return "was killed (it may have run out of memory)";
        case SIGSYS:
            return "was stopped for a system call the grader forbids during the tests (writing on the grader's report "
                   "channel, copying it, or passing descriptors on)";
        default: return std::string("ended by signal ") + std::to_string(signal) + " (" + strsignal(signal) + ")";
    }
}

// One run of the test program on some of an exercise's tests, as it goes.
struct Process {
    pid_t pid = -1;
    int report_fd = -1, output_fd = -1;
    std::string buffer;
    std::size_t printed = 0;  // bytes of output, read and dropped
    bool report_closed = false, output_closed = false, timed_out = false, flooded = false;
    std::string running;  // the test that started and has not ended
    std::string refused;  // why the program would not run the tests (code ran before main)
    Clock::time_point since;
    double limit = startup_seconds;
    int status = 0;
};

// Runs the tests of one exercise, each counted once; a test that does not end in its time, or
// during which the program ends, fails with the reason; the others are run again after it.
class ExerciseRun {
public:
    ExerciseRun(const Sandbox& sandbox, const ExerciseTests& tests, const Timing& timing)
        : sandbox_(sandbox), timing_(timing), left_(tests.names.begin(), tests.names.end()) {}

    bool done() const { return finished_; }
    bool running() const { return process_.pid > 0; }
    const std::map<std::string, Outcome>& outcomes() const { return outcomes_; }
    const std::map<std::string, double>& durations() const { return durations_; }
    // What to wait on: the report socket and the output pipe, while open.
    void add_fds(std::vector<pollfd>& fds) const {
        if (process_.report_fd >= 0 && !process_.report_closed) fds.push_back({process_.report_fd, POLLIN, 0});
        if (process_.output_fd >= 0 && !process_.output_closed) fds.push_back({process_.output_fd, POLLIN, 0});
    }

    void start() {
        if (left_.empty()) {
            finished_ = true;
            return;
        }
        std::string filter;
        // A '-' in a filter starts the tests to leave out: '?' (any one character) stands for it.
        for (std::string t : left_) filter += (filter.empty() ? "" : ":") + (std::replace(t.begin(), t.end(), '-', '?'), t);
        // The report comes on a socket, not a pipe: a pipe can be opened again by its name in
        // /proc/self/fd, past the guard on the descriptor (report_channel.cpp); a socket cannot.
        int report_fds[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, report_fds) != 0)
            throw Failure(std::string("cannot make a socket pair: ") + std::strerror(errno));
        shutdown(report_fds[0], SHUT_WR);  // one way: the test program writes, we read
        shutdown(report_fds[1], SHUT_RD);
        // Its output comes through a pipe too: counted as it comes, so a flood is stopped at once.
        int output_fds[2];
        if (pipe2(output_fds, O_CLOEXEC) != 0) throw Failure(std::string("cannot make a pipe: ") + std::strerror(errno));
        const int out = output_fds[1];
        double cpu = startup_seconds;
        for (const std::string& t : left_) cpu += timing_.limit(t);
        setup_ = ChildSetup{&sandbox_,
                            {sandbox_.program.string(), "--gtest_filter=" + filter, "--report-fd=3", "--gtest_color=no"},
                            report_fds[1],
                            out,
                            static_cast<rlim_t>(cpu) + 1};
        process_ = Process{};
        process_.pid = start_test_process(setup_);
        close(report_fds[1]);
        close(out);
        if (process_.pid < 0) {
            close(report_fds[0]);
            close(output_fds[0]);
            throw Failure(std::string("cannot start the test program: ") + std::strerror(errno));
        }
        process_.report_fd = report_fds[0];
        process_.output_fd = output_fds[0];
        fcntl(process_.report_fd, F_SETFL, O_NONBLOCK);
        fcntl(process_.output_fd, F_SETFL, O_NONBLOCK);
        process_.since = Clock::now();
    }

    // Reads what the report socket holds; checks the time; notices the end of the process.
    void step() {
        if (!running()) return;
        drain();
        const bool killed = process_.timed_out || process_.flooded;
        if (!killed && process_.printed > output_bytes) {
            process_.flooded = true;
            kill_test_process(sandbox_, process_.pid);
        } else if (!killed && seconds_since(process_.since) > process_.limit) {
            process_.timed_out = true;
            kill_test_process(sandbox_, process_.pid);
        }
        int status = 0;
        // Blocks only once it was killed: a process that closed its pipes may still loop.
        const pid_t r = waitpid(process_.pid, &status, process_.timed_out || process_.flooded ? 0 : WNOHANG);
        if (r == process_.pid) {
            process_.status = status;
            drain();  // what it wrote just before it ended
            ended();
        }
    }

private:
    // Reads what the socket and the pipe hold, without waiting: the report's lines, the output's size.
    void drain() {
        char chunk[65536];
        for (ssize_t n; !process_.report_closed && (n = read(process_.report_fd, chunk, sizeof chunk)) != -1;) {
            if (n == 0) process_.report_closed = true;
            else take(std::string(chunk, static_cast<std::size_t>(n)));
        }
        for (ssize_t n; !process_.output_closed && (n = read(process_.output_fd, chunk, sizeof chunk)) != -1;) {
            if (n == 0) process_.output_closed = true;
            process_.printed += static_cast<std::size_t>(n);
        }
    }

    // Report lines, as they come; a line longer than the limit is cut (its rest dropped).
    void take(const std::string& data) {
        for (char c : data) {
            if (c == '\n') {
                line(process_.buffer);
                process_.buffer.clear();
            } else if (process_.buffer.size() < max_report_line) {
                process_.buffer += c;
            }
        }
    }

    // Only a test we launched, not yet counted, between its own start and result, counts.
    void line(const std::string& text) {
        const auto f = bp_test::report::split_tabs(text);
        if (f.size() >= 2 && f[0] == "refused" && process_.running.empty()) {
            process_.refused = f[1];  // before any test: why the program would not run them
        } else if (f.size() >= 2 && f[0] == "unguarded" && process_.running.empty()) {
            static bool told = false;
            if (!told) std::cout << "course grade: note: the tests ran without the guard of their report channel: " << f[1] << "\n";
            told = true;
        } else if (f.size() >= 3 && f[0] == "start") {
            const std::string test = f[1] + "." + f[2];
            if (!process_.running.empty() || !left_.count(test)) return;
            process_.running = test;
            process_.since = Clock::now();
            process_.limit = timing_.limit(test);
        } else if (f.size() >= 5 && f[0] == "result") {
            const std::string test = f[1] + "." + f[2];
            if (test != process_.running) return;
            static const std::set<std::string> statuses = {"pass", "fail", "todo", "waiting"};
            Outcome o{statuses.count(f[3]) ? f[3] : "fail", f[4], f.size() > 5 ? bp_test::report::unescape(f[5]) : ""};
            durations_[test] = seconds_since(process_.since);
            count(test, o);
            process_.running.clear();
            process_.since = Clock::now();
            process_.limit = startup_seconds;  // until the next test starts, or the program ends
        }
    }

    void count(const std::string& test, const Outcome& o) {
        outcomes_[test] = o;
        left_.erase(test);
    }

    void ended() {
        close(process_.report_fd);
        close(process_.output_fd);
        process_.report_fd = process_.output_fd = -1;
        end_what_is_left(sandbox_, process_.pid);
        const int status = process_.status;
        std::string how;
        if (process_.flooded) how = "printed more than " + std::to_string(output_bytes >> 20) + " MB and was stopped (flooding the output)";
        else if (process_.timed_out)
            how = "ran past its time limit of " + seconds_text(process_.limit) +
                  " (ten times the reference solution's time, plus 2 s) and was stopped: a loop that does not end?";
        else if (WIFSIGNALED(status)) how = signal_reason(WTERMSIG(status));
        else
            how = "made the test program exit (status " + std::to_string(WEXITSTATUS(status)) +
                  ") before the test ended: exit() or quick_exit() called in an exercise function?";
        process_.pid = -1;
        if (!process_.running.empty()) {
            count(process_.running, {"fail", "", "This test " + how});
            if (process_.timed_out && ++timeouts_ == timeouts_per_exercise) {
                for (const std::string& t : std::set<std::string>(left_))
                    count(t, {"fail", "",
                              "Not run: " + std::to_string(timeouts_per_exercise) +
                                  " tests of this exercise ran past their time limit, so the rest were not tried."});
            }
        } else if (!left_.empty()) {
            // The program ended between tests, or before the first: those left cannot be run.
            const std::string why = process_.timed_out          ? "the test program did not start any of them in time"
                                    : !process_.refused.empty() ? "the test program refused to run them: " + process_.refused
                                                                : "the test program ended before running them: it " + how;
            for (const std::string& t : std::set<std::string>(left_)) count(t, {"fail", "", "Not run: " + why});
        }
        if (left_.empty()) finished_ = true;
        else start();  // the others, in a new process
    }

    const Sandbox& sandbox_;
    const Timing& timing_;
    std::set<std::string> left_;
    std::map<std::string, Outcome> outcomes_;
    std::map<std::string, double> durations_;
    Process process_;
    ChildSetup setup_{};
    int timeouts_ = 0;
    bool finished_ = false;
};

// Runs every exercise, `jobs` processes at a time; returns the outcomes of all tests.
std::map<std::string, Outcome> run_all(const Sandbox& sandbox, const std::vector<ExerciseTests>& exercises, const Timing& timing, int jobs,
                                       std::map<std::string, double>* durations = nullptr) {
    std::deque<ExerciseRun> runs;
    for (const ExerciseTests& e : exercises) runs.emplace_back(sandbox, e, timing);
    std::size_t next = 0;
    std::map<std::string, Outcome> all;
    for (;;) {
        std::vector<ExerciseRun*> active;
        for (ExerciseRun& r : runs)
            if (!r.done() && r.running()) active.push_back(&r);
        while (static_cast<int>(active.size()) < jobs && next < runs.size()) {
            runs[next].start();
            if (runs[next].running()) active.push_back(&runs[next]);
            ++next;
        }
        if (active.empty()) break;
        std::vector<pollfd> fds;
        for (ExerciseRun* r : active) r->add_fds(fds);
        poll(fds.data(), fds.size(), 100);
        for (ExerciseRun* r : active) r->step();
    }
    for (const ExerciseRun& r : runs) {
        all.insert(r.outcomes().begin(), r.outcomes().end());
        if (durations) durations->insert(r.durations().begin(), r.durations().end());
    }
    return all;
}

// ---- the list of tests, from a trusted build ---------------------------------------------------------

// Waits for a test process for at most `seconds`, then kills it; its wait status, or nothing if
// it had to be killed.
std::optional<int> wait_at_most(const Sandbox& sandbox, pid_t pid, double seconds) {
    const auto start = Clock::now();
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (seconds_since(start) > seconds) {
            kill_test_process(sandbox, pid);
            waitpid(pid, &status, 0);
            return std::nullopt;
        }
        usleep(20000);
    }
    end_what_is_left(sandbox, pid);
    return status;
}

// Starts the test program with `--gtest_list_tests`, in the sandbox: its listing, or why it
// could not give one (it does not start: a loop or a crash before any test, in the code it runs
// when it loads).
std::string listing(const Sandbox& sandbox, std::string& why) {
    const fs::path file = sandbox.private_dir / "listing.txt";
    const int out = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ChildSetup setup{&sandbox, {sandbox.program.string(), "--gtest_list_tests"}, null_fd, out, static_cast<rlim_t>(startup_seconds)};
    const pid_t pid = start_test_process(setup);
    close(out);
    close(null_fd);
    if (pid < 0) throw Failure(std::string("cannot start the test program: ") + std::strerror(errno));
    const std::optional<int> status = wait_at_most(sandbox, pid, startup_seconds);
    std::string text = read_file(file);
    fs::remove(file);
    if (!status) why = "the test program did not start within " + seconds_text(startup_seconds);
    else if (WIFSIGNALED(*status)) why = "the test program " + signal_reason(WTERMSIG(*status)) + " as it started";
    else if (WEXITSTATUS(*status) != 0)
        why = "the test program exited with status " + std::to_string(WEXITSTATUS(*status)) + " as it started: " + text.substr(0, 500);
    return text;
}

// The exercises' tests from a listing (--gtest_list_tests), grouped by exercise.
std::vector<ExerciseTests> parse_listing(const std::string& text) {
    std::map<std::string, ExerciseTests> by_id;
    std::istringstream in(text);
    std::string suite;
    for (std::string line; std::getline(in, line);) {
        line = line.substr(0, line.find('#'));
        while (!line.empty() && line.back() == ' ') line.pop_back();
        if (line.empty()) continue;
        if (line[0] != ' ') {
            suite = line.back() == '.' ? line.substr(0, line.size() - 1) : "";
            continue;
        }
        const std::string id = bp_test::report::exercise_of_suite(suite);
        if (id.empty()) continue;
        ExerciseTests& e = by_id[id];
        e.id = id;
        e.suite = suite;
        e.names.push_back(suite + "." + line.substr(line.find_first_not_of(' ')));
    }
    std::vector<ExerciseTests> list;
    list.reserve(by_id.size());
    for (auto& [id, e] : by_id) list.push_back(e);
    return list;
}

// ---- the grade build -------------------------------------------------------------------------------

struct Paths {
    fs::path root, build, graded, trusted, stubs, log;
};

void build(const Paths& p, const std::vector<std::string>& targets, int jobs) {
    std::vector<std::string> argv = {"cmake", "--build", p.build.string(), "-j", std::to_string(jobs), "--target"};
    argv.insert(argv.end(), targets.begin(), targets.end());
    if (run(argv, p.log) != 0) throw Failure("the grade build failed (its log: " + p.log.string() + ")");
}

// The exercise files under `dir` (relative paths, sorted).
std::vector<fs::path> exercise_files(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        if (entry.is_regular_file() && entry.path().extension() == ".cpp") files.push_back(fs::relative(entry.path(), dir));
    std::sort(files.begin(), files.end());
    return files;
}

// Puts the files of `from` (the untouched stubs' layout) into the graded folder, writing only
// those that differ, so that the build recompiles only them. A file the submission lacks, or
// that is not a plain file inside it, gets its stub; files it adds are ignored.
std::vector<std::string> sync(const Paths& p, const fs::path& from) {
    std::vector<std::string> notes;
    for (const fs::path& rel : exercise_files(p.stubs)) {
        fs::path source = from / rel;
        // Inside the submission only: a symbolic link (of the file or of a folder on the way)
        // could lead to a file of this machine, which the compiler's messages would show.
        std::error_code ec;
        const fs::path real = fs::canonical(source, ec);
        const bool inside = !ec && real.string().rfind(fs::canonical(from).string() + "/", 0) == 0;
        if (!inside || !fs::is_regular_file(real) || fs::file_size(real) > (1 << 20)) {
            notes.push_back("exercises/" + rel.string() +
                            " is missing (or not a plain file under 1 MB inside the submission): graded as its stub");
            source = p.stubs / rel;
        }
        const std::string text = read_file(source), target = (p.graded / rel).string();
        if (!fs::exists(target) || read_file(target) != text) {
            fs::create_directories(fs::path(target).parent_path());
            write_file(target, text);
        }
    }
    return notes;
}

// An exercise file may include the course's headers and the system's, nothing else: an
// #include of the reference solutions ("../../../../solutions/ch01/activations.cpp"), of
// another student's files or of any other file would compile someone else's work, or show a
// file's text in a compiler's message. The compiler lists what a file includes (-M: the grade
// build's own command, preprocessing only, the file not compiled); a file that includes
// anything else is replaced by its stub before the compile step, each of its exercises failed
// with the reason. Returns those lines ("N.M<TAB>message"), for the compile step's list.
std::vector<std::string> refuse_foreign_includes(const Paths& p, const fs::path& private_dir) {
    std::map<fs::path, std::string> commands;  // exercise file -> the build's command for it
    for (const auto& entry : nlohmann::json::parse(read_file(p.build / "compile_commands.json")))
        commands[fs::weakly_canonical(entry.at("file").get<std::string>())] = entry.at("command").get<std::string>();
    const std::vector<fs::path> allowed = {p.root / "lib" / "include",
                                           p.root / "lib" / "fast" / "include",
                                           p.root / "chapters",
                                           p.graded,
                                           p.build / "lib",
                                           "/usr/include",
                                           "/usr/lib"};
    const auto is_allowed = [&](const fs::path& file) {
        const std::string f = file.string();
        return std::any_of(allowed.begin(), allowed.end(), [&](const fs::path& dir) {
            const std::string d = fs::weakly_canonical(dir).string() + "/";
            return f.compare(0, d.size(), d) == 0;
        });
    };
    std::vector<std::string> refused;
    for (const fs::path& rel : exercise_files(p.graded)) {
        const auto command = commands.find(fs::weakly_canonical(p.graded / rel));
        if (command == commands.end()) continue;  // not in the build: the compile step says so
        const fs::path deps = private_dir / "includes.d";
        fs::remove(deps);
        std::string cmd = command->second;
        if (const auto o = cmd.find(" -o "); o != std::string::npos)  // the object is not written
            cmd.replace(o + 4, cmd.find(' ', o + 4) - (o + 4), "/dev/null");
        const int status = run({"/bin/sh", "-c", cmd + " -M -MG -MF '" + deps.string() + "'"}, p.log, p.build, 60);
        std::string foreign;
        if (status == -2) foreign = "a file that never ends (listing its #includes took over 60 s)";
        // deps: "target: file file \<newline> file ...", a space in a name escaped as "\ ".
        std::string text = fs::exists(deps) ? read_file(deps) : "", name;
        text = text.substr(std::min(text.size(), text.find(": ") + 2));
        const auto check = [&] {
            std::error_code ec;
            const fs::path real = fs::canonical(name, ec);
            if (!ec && foreign.empty() && !is_allowed(real)) {  // named from the course's folder where it is inside
                const fs::path inside = real.lexically_relative(fs::canonical(p.root));
                foreign = !inside.empty() && *inside.begin() != ".." ? inside.string() : real.string();
            }
            name.clear();
        };
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == ' ') name += text[++i];
            else if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            else if (std::isspace(static_cast<unsigned char>(text[i]))) check();
            else name += text[i];
        }
        check();
        if (foreign.empty()) continue;
        fs::copy_file(p.stubs / rel, p.graded / rel, fs::copy_options::overwrite_existing);
        std::istringstream stub(read_file(p.stubs / rel));
        for (std::string line; std::getline(stub, line);)
            if (const auto at = line.find("// BEGIN EXERCISE "); at != std::string::npos) {
                std::istringstream words(line.substr(at + 18));
                std::string id;
                words >> id;
                refused.push_back(id + "\t" + std::string(bp_test::refused_prefix) + "exercises/" + rel.string() + " includes " + foreign +
                                  ", which is not a header of the course or of the system: the file was graded as its stub");
            }
    }
    return refused;
}

// What the set-up below is made from: every file of the course that can change the test
// program, the reference data or the list (not build/, where a submission's build relinks the
// test program, so a time stamp of the program would say "changed" after every submission).
std::string source_stamp(const fs::path& root) {
    std::vector<fs::path> files;
    for (const char* top : {"lib", "tests", "solutions", "exercises", "chapters", "tools"})
        if (fs::is_directory(root / top))
            for (const auto& entry : fs::recursive_directory_iterator(root / top))
                if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), root));
    for (const char* top : {"CMakeLists.txt", "CMakePresets.json"})
        if (fs::exists(root / top)) files.emplace_back(top);
    std::sort(files.begin(), files.end());
    std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a, 64 bits
    const auto add = [&hash](const std::string& bytes) {
        for (const unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ULL;
    };
    for (const fs::path& f : files) {
        add(f.string() + '\0');
        add(read_file(root / f) + '\0');
    }
    std::ostringstream out;
    out << std::hex << hash << " " << std::dec << files.size() << " files\n";
    return out.str();
}

// The trusted set-up, once: the untouched stubs kept aside; the list of tests and the exercise
// list, from a build of the reference solutions (of the stubs in the student edition), and each
// test's time on the solutions. Kept in build/grade/grader/ until a file of the course changes
// (source_stamp), so that no list ever comes from a submission's build.
struct Setup {
    std::vector<ExerciseTests> tests;
    Timing timing;
    fs::path manifest;
    std::vector<std::string> exercises;  // ids, in the list's order
};

Setup prepare(const Paths& p, Sandbox& sandbox, int jobs) {
    fs::create_directories(p.trusted);
    fs::remove_all(p.stubs);
    fs::create_directories(p.stubs);
    for (const fs::path& rel : exercise_files(p.root / "exercises")) {
        fs::create_directories((p.stubs / rel).parent_path());
        fs::copy_file(p.root / "exercises" / rel, p.stubs / rel);
    }
    const bool have_solutions = fs::is_directory(p.root / "solutions");
    const fs::path times = p.trusted / "tests.tsv", manifest = p.trusted / "exercises.tsv";
    Setup setup;
    setup.manifest = manifest;
    const fs::path stamp = p.trusted / "sources.stamp";
    const std::string sources = source_stamp(p.root);
    const bool cached =
        fs::exists(times) && fs::exists(manifest) && fs::exists(sandbox.program) && fs::exists(stamp) && read_file(stamp) == sources;
    if (!cached) {
        fs::remove(stamp);
        std::cout << "course grade: building the library and the tests on the "
                  << (have_solutions ? "reference solutions, and timing their tests" : "stubs") << " (build/grade; once)..." << '\n'
                  << std::flush;
        sync(p, have_solutions ? p.root / "solutions" : p.stubs);
        build(p, {"exgen", "course_tests", "exercise_manifest"}, jobs);
        std::string why;
        const std::string text = listing(sandbox, why);
        if (!why.empty()) throw Failure(why);
        setup.tests = parse_listing(text);
        std::map<std::string, double> durations;
        if (have_solutions) {
            Timing generous;
            for (const ExerciseTests& e : setup.tests)
                for (const std::string& t : e.names) generous.reference[t] = 6;  // 62 s each
            for (const auto& [test, o] : run_all(sandbox, setup.tests, generous, jobs, &durations))
                if (o.status != "pass")
                    std::cerr << "course grade: warning: the reference solutions fail " << test << ": " << o.message << "\n";
        }
        std::string lines;  // test, its time on the solutions (-1: none)
        for (const ExerciseTests& e : setup.tests)
            for (const std::string& t : e.names) {
                const auto d = durations.find(t);
                lines += t + "\t" + std::to_string(d == durations.end() ? -1.0 : d->second) + "\n";
            }
        fs::copy_file(p.build / "exercises.tsv", manifest, fs::copy_options::overwrite_existing);
        write_file(times, lines);
        write_file(stamp, sources);
    }
    std::string text;
    std::istringstream in(read_file(times));
    for (std::string line; std::getline(in, line);) {
        const auto f = bp_test::report::split_tabs(line);
        if (f.size() != 2) continue;
        const std::string suite = f[0].substr(0, f[0].find('.'));
        text += suite + ".\n  " + f[0].substr(suite.size() + 1) + "\n";
        if (std::stod(f[1]) >= 0) setup.timing.reference[f[0]] = std::stod(f[1]);
    }
    setup.tests = parse_listing(text);
    std::istringstream list(read_file(manifest));
    for (std::string line; std::getline(list, line);) setup.exercises.push_back(line.substr(0, line.find('\t')));
    build(p, {"exgen"}, jobs);
    return setup;
}

// ---- one submission ------------------------------------------------------------------------------

// Where a submission's exercises/ is: the folder itself, or, for an archive or a git
// repository, the folder holding exercises/ in what it unpacks to (`scratch`).
fs::path unpack(const fs::path& submission, const fs::path& scratch, const fs::path& log) {
    const std::string name = submission.filename().string();
    const auto ends = [&](const std::string& tail) {
        return name.size() > tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
    };
    fs::create_directories(scratch);
    if (fs::is_directory(submission) && fs::is_directory(submission / "exercises")) return submission;
    int status = 0;
    if (fs::is_directory(submission / ".git") || ends(".git") || ends(".bundle"))
        status = run({"git", "-c", "safe.directory=*", "clone", "-q", "--no-hardlinks", submission.string(), (scratch / "repo").string()},
                     log, {}, unpack_seconds);
    else if (ends(".tar.gz") || ends(".tgz") || ends(".tar"))
        status = run({"tar", "-xf", submission.string(), "-C", scratch.string(), "--no-same-owner", "--no-same-permissions"}, log, {},
                     unpack_seconds);
    else if (ends(".zip")) status = run({"unzip", "-q", "-o", submission.string(), "-d", scratch.string()}, log, {}, unpack_seconds);
    else
        throw Failure(
            submission.string() +
            " is not a student edition folder (it has no exercises/), a .tar.gz, .tgz, .tar or .zip, or a git repository or bundle");
    if (status != 0) throw Failure("cannot unpack " + submission.string() + " (see " + log.string() + ")");
    // The shallowest folder holding exercises/, symbolic links not followed.
    std::vector<fs::path> level = {scratch};
    for (int depth = 0; depth < 4 && !level.empty(); ++depth) {
        std::vector<fs::path> below;
        for (const fs::path& dir : level) {
            if (fs::is_directory(fs::symlink_status(dir / "exercises"))) return dir;
            for (const auto& entry : fs::directory_iterator(dir))
                if (entry.is_directory() && !entry.is_symlink()) below.push_back(entry.path());
        }
        level = below;
    }
    throw Failure(submission.string() + " holds no exercises/ folder");
}

struct Graded {
    std::string name;
    std::map<std::string, double> scores;  // exercise -> score
    double total = 0;
    std::string note;
    std::map<std::string, std::string> first_failures;  // exercise not passed -> its first failure, one line
};

std::string number(double x) {
    std::ostringstream out;
    out << std::round(x * 100) / 100;
    return out.str();
}

// A table cell of Markdown: one line, no '|' (which would end the cell).
std::string cell(std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    std::replace(s.begin(), s.end(), '|', '/');
    return s;
}

std::string html_text(const std::string& s) {
    std::string out;
    for (char c : s) out += c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;" : std::string(1, c);
    return out;
}

// feedback.md as a web page: the few kinds of lines it has (headings, a table, indented
// messages, paragraphs, **bold**) rendered, so that it reads the same in a browser.
std::string feedback_html(const std::string& markdown) {
    std::string body, title;
    bool in_table = false, in_code = false;
    const auto bold = [](std::string text) {
        for (std::size_t at; (at = text.find("**")) != std::string::npos;) {
            const std::size_t end = text.find("**", at + 2);
            if (end == std::string::npos) break;
            text = text.substr(0, at) + "<b>" + text.substr(at + 2, end - at - 2) + "</b>" + text.substr(end + 2);
        }
        return text;
    };
    std::istringstream in(markdown);
    for (std::string line; std::getline(in, line);) {
        const std::string text = html_text(line);
        if (in_table && line.rfind('|', 0) != 0) body += "</table>\n", in_table = false;
        if (in_code && line.rfind("    ", 0) != 0) body += "</pre>\n", in_code = false;
        if (line.rfind("### ", 0) == 0) body += "<h3>" + text.substr(4) + "</h3>\n";
        else if (line.rfind("## ", 0) == 0) body += "<h2>" + text.substr(3) + "</h2>\n";
        else if (line.rfind("# ", 0) == 0) body += "<h1>" + (title = text.substr(2)) + "</h1>\n";
        else if (line.rfind("|---", 0) == 0) continue;
        else if (line.rfind('|', 0) == 0) {
            if (!in_table) body += "<table>\n", in_table = true;
            std::string row = "<tr>";
            std::size_t start = 1;
            for (std::size_t bar; (bar = line.find(" |", start)) != std::string::npos; start = bar + 2)
                row += "<td>" + html_text(line.substr(start + 1, bar - start - 1)) + "</td>";
            body += row + "</tr>\n";
        } else if (line.rfind("    ", 0) == 0) {
            if (!in_code) body += "<pre>", in_code = true;
            body += text.substr(4) + "\n";
        } else if (!line.empty()) body += "<p>" + bold(text) + "</p>\n";
    }
    if (in_table) body += "</table>\n";
    if (in_code) body += "</pre>\n";
    return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title +
           "</title>\n<style>body { font-family: sans-serif; max-width: 60em; margin: 2em auto; } "
           "td { padding: 0.2em 0.8em; border-bottom: 1px solid #ddd; } pre { background: #f4f4f4; padding: 0.5em; "
           "white-space: pre-wrap; }</style></head>\n<body>\n" +
           body + "</body></html>\n";
}

// feedback.md, for the student: per exercise, passed or what to look at first (the first failing
// test's message), the section to read, and the points. Fills `first_failures` for the class summary.
std::string feedback(const std::string& name, const std::vector<bp_test::report::Exercise>& exercises, const nlohmann::json& results,
                     const fs::path& compile_failures, std::map<std::string, std::string>& first_failures) {
    using namespace bp_test::report;
    std::map<std::string, std::string> not_compiled;
    std::istringstream failures(read_file(compile_failures));
    for (std::string line; std::getline(failures, line);)
        if (const auto tab = line.find('\t'); tab != std::string::npos) not_compiled[line.substr(0, tab)] = unescape(line.substr(tab + 1));
    std::map<std::string, std::pair<double, double>> points;  // id -> score, max
    for (const auto& t : results["tests"])
        points[t["number"].get<std::string>()] = {t["score"].get<double>(), t["max_score"].get<double>()};

    std::string table, details;
    int passed = 0;
    for (const Exercise& e : exercises) {
        const auto [got, max] = points[e.id];
        const std::string title = e.hint.substr(0, e.hint.find(':'));
        const int total = static_cast<int>(e.tests.size()), ok = e.count("pass");
        std::string result, first, message;
        if (const auto f = not_compiled.find(e.id); f != not_compiled.end()) {
            if (bp_test::refused(f->second)) {
                const std::string why = f->second.substr(bp_test::refused_prefix.size());
                result = "refused";
                first = "refused: " + first_line(why);
                message = "It was graded as not done: " + why;
            } else {
                result = "did not compile";
                first = "did not compile: " + first_line(f->second);
                message = "It did not compile, so it was graded as not done. The compiler said:\n" + f->second;
            }
        } else if (total > 0 && ok == total) {
            result = "passed";
            ++passed;
        } else {
            result = std::to_string(ok) + " of " + std::to_string(total) + " tests pass";
            const auto t = std::find_if(e.tests.begin(), e.tests.end(), [](const TestOutcome& o) { return o.status != "pass"; });
            if (t == e.tests.end()) {
                first = message = "no test ran";
            } else if (t->status == "todo") {
                first = "not done (the stub is still there)";
                message = "Not done yet: its stub is still there.";
            } else if (t->status == "waiting") {
                first = "waits for exercise " + t->blocker;
                message = "Its tests call exercise " + t->blocker + ", which is not done: do that one first.";
            } else {
                first = telling_line(t->message).substr(0, 200);
                std::string said = cut_lines(t->message, 12);
                if (said.size() > 2000) said = said.substr(0, 2000) + " [...]";  // a message of one endless line
                message = "The first failing test, " + t->suite + "." + t->name + ", says:\n\n" + indent(said, "    ");
            }
        }
        table += "| " + e.id + " | " + cell(title) + " | " + number(got) + " / " + number(max) + " | " + cell(result) + " |\n";
        if (result == "passed") continue;
        first_failures[e.id] = first;
        details += "\n### Exercise " + e.id + ": " + title + " (" + number(got) + " of " + number(max) + " points)\n\n" + message +
                   "\n\nRead: " + e.read + ". What it does: " + e.hint + "\n";
    }
    return "# Feedback for " + name + "\n\nScore: **" + number(results["score"].get<double>()) + " of " +
           number(results["max_score"].get<double>()) + "**; " + std::to_string(passed) + " of " + std::to_string(exercises.size()) +
           " exercises pass all their tests.\n\n| Exercise | What | Points | Result |\n|---|---|---|---|\n" + table +
           (details.empty() ? "" : "\n## What to look at\n" + details);
}

Graded grade_one(const Paths& p, const Setup& setup, const Sandbox& sandbox, const fs::path& submission, const std::string& name,
                 const fs::path& out, int jobs) {
    Graded g{name, {}, 0, "", {}};
    const fs::path scratch = sandbox.private_dir / ("submission-" + name);
    const fs::path dir = unpack(submission, scratch, p.log);
    const std::vector<std::string> notes = sync(p, dir / "exercises");
    for (const std::string& n : notes) std::cout << "course grade: " << n << "\n";
    // Each exercise file compiled alone; what does not compile becomes its stub.
    const std::vector<std::string> refused = refuse_foreign_includes(p, sandbox.private_dir);
    for (const std::string& r : refused)
        std::cout << "course grade: exercise " << r.substr(0, r.find('\t')) << ": " << r.substr(r.find('\t') + 1) << "\n";
    const fs::path failures = p.build / "compile-failures.tsv";
    const int compiled =
        run({(p.root / "tools" / "grade_compile.sh").string(), failures.string(), p.stubs.string()}, p.log, p.root, compile_seconds);
    if (compiled == -2)
        throw Failure("compiling it took longer than " + seconds_text(compile_seconds) +
                      " (an #include of a device or an endless template?)");
    if (compiled != 0) throw Failure("the compile step failed (its log: " + p.log.string() + ")");
    std::string lines;
    for (const std::string& r : refused) {
        std::string escaped;  // as the compile step writes its messages: a backslash doubled
        for (const char c : r) escaped += c == '\\' ? std::string("\\\\") : std::string(1, c);
        lines += escaped + "\n";
    }
    write_file(failures, read_file(failures) + lines);
    build(p, {"course_tests"}, jobs);  // relinks the library with this submission's code
    fs::remove_all(scratch);

    // Code that runs when the program loads (a static object's constructor) could stop every
    // test: one listing, with the startup's limit, finds that before each exercise waits for it.
    std::string why;
    listing(sandbox, why);
    std::map<std::string, Outcome> outcomes;
    if (why.empty()) outcomes = run_all(sandbox, setup.tests, setup.timing, jobs);
    else std::cout << "course grade: " << why << "\n";
    for (const ExerciseTests& e : setup.tests)
        for (const std::string& t : e.names)
            if (!outcomes.count(t))
                outcomes[t] = {"fail", "", "Not run: " + (why.empty() ? std::string("the test program did not report it") : why) + "."};
    // The reports as the grader writes them, where only we can write: one per exercise.
    const fs::path reports = sandbox.private_dir / ("reports-" + name);
    fs::remove_all(reports);
    fs::create_directories(reports);
    for (const ExerciseTests& e : setup.tests) {
        std::string text;
        for (const std::string& t : e.names) {
            const auto it = outcomes.find(t);
            const Outcome o = it != outcomes.end() ? it->second : Outcome{"fail", "", "Not run."};
            const std::string test_name = t.substr(e.suite.size() + 1);
            text += "start\t" + e.suite + "\t" + test_name + "\n";
            text += "result\t" + e.suite + "\t" + test_name + "\t" + o.status + "\t" + o.blocker + "\t" +
                    bp_test::report::escape(o.message) + "\n";
        }
        write_file(reports / ("ex" + e.id + ".tsv"), text);
    }
    fs::create_directories(out);
    bp_test::write_grade(setup.manifest, reports, {failures, out / "results.json", out / "junit.xml"});
    const nlohmann::json results = nlohmann::json::parse(read_file(out / "results.json"));
    const std::string text = feedback(name, bp_test::report::load(setup.manifest, reports, nullptr), results, failures, g.first_failures);
    write_file(out / "feedback.md", text);
    write_file(out / "feedback.html", feedback_html(text));
    fs::remove_all(reports);
    for (const auto& t : results["tests"]) g.scores[t["number"].get<std::string>()] = t["score"].get<double>();
    g.total = results["score"].get<double>();
    for (const std::string& n : notes) g.note += (g.note.empty() ? "" : "; ") + n;
    return g;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// The class summary, for the instructor: the exercises most often not passed, each with the
// first failure most often seen.
std::string class_summary(const std::vector<Graded>& gradebook, const std::vector<std::string>& exercises) {
    std::vector<std::pair<int, std::string>> rows;
    std::string text;
    double total = 0;
    for (const Graded& g : gradebook) total += g.total;
    for (const std::string& id : exercises) {
        std::map<std::string, int> messages;
        int count = 0;
        for (const Graded& g : gradebook)
            if (const auto it = g.first_failures.find(id); it != g.first_failures.end()) {
                ++count;
                ++messages[it->second];
            }
        if (count == 0) continue;
        const auto common =
            std::max_element(messages.begin(), messages.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
        rows.emplace_back(count, "| " + id + " | " + std::to_string(count) + " | " + cell(common->first) + " (" +
                                     std::to_string(common->second) + ") |\n");
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    text = "# Class summary\n\n" + std::to_string(gradebook.size()) + " submissions; mean score " +
           number(gradebook.empty() ? 0 : total / static_cast<double>(gradebook.size())) +
           ".\n\nThe exercises most often not passed, with the most common first failure (and how many had it):\n\n"
           "| Exercise | not passed by | most common first failure |\n|---|---|---|\n";
    for (const auto& [count, row] : rows) text += row;
    return text;
}

// The submissions: one (a folder with exercises/, an archive, a repository) or a class (a
// folder of them), each with a name for its results.
std::vector<std::pair<fs::path, std::string>> submissions_in(const fs::path& given, bool& is_class) {
    const bool single = !fs::is_directory(given) || fs::is_directory(given / "exercises") || fs::is_directory(given / ".git");
    is_class = !single;
    if (single) return {{given, given.filename().string()}};
    std::vector<std::pair<fs::path, std::string>> list;
    for (const auto& entry : fs::directory_iterator(given)) {
        std::string name = entry.path().filename().string();
        if (name.empty() || name[0] == '.') continue;
        for (const std::string tail : {".tar.gz", ".tgz", ".tar", ".zip", ".bundle", ".git"})
            if (name.size() > tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0) {
                name.resize(name.size() - tail.size());
                break;
            }
        list.emplace_back(entry.path(), name);
    }
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    return list;
}

}  // namespace

namespace {
int grade_main(int argc, char** argv) {
    CLI::App app{
        "Grades a submission (a student edition folder, a .tar.gz/.zip of one, or a git repository or bundle), "
        "or a folder of them (a class): results.json and junit.xml per submission, and grades.csv"};
    std::string given, out_dir, root_dir;
    int jobs = 2;
    app.add_option("submission", given, "a submission, or a folder of submissions (default: the course repository itself)");
    app.add_option("--out", out_dir, "where to write the results (default: build/grade-results)");
    app.add_option("--jobs", jobs, "test processes (and compiler jobs) at a time")->check(CLI::Range(1, 64));
    app.add_option("--root", root_dir, "the course repository (default: the current folder)");
    bool no_namespaces = false;
    app.add_flag("--no-namespaces", no_namespaces, "run the tests without namespaces (where a container forbids them; found by itself)");
    CLI11_PARSE(app, argc, argv);

    const auto started = Clock::now();
    try {
        Paths p;
        p.root = fs::absolute(root_dir.empty() ? fs::current_path() : fs::path(root_dir));
        p.build = p.root / "build" / "grade";
        p.graded = p.root / "build" / "graded" / "exercises";
        p.trusted = p.build / "grader";
        p.stubs = p.trusted / "stubs";
        p.log = p.root / "build" / "grade.log";
        const fs::path out = fs::absolute(out_dir.empty() ? p.root / "build" / "grade-results" : fs::path(out_dir));
        const fs::path submission = fs::absolute(given.empty() ? p.root : fs::path(given));
        if (!fs::exists(submission)) throw Failure(given + " does not exist");
        if (!fs::is_directory(p.root / "exercises") || !fs::is_directory(p.build))
            throw Failure(p.root.string() + " is not a course repository with a configured grade build (run ./course grade)");

        // One grading of this build at a time (the same lock as ./course's builds): a second waits.
        const int lock = ::open((p.root / "build" / ".grade.lock").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) != 0) {
            std::cout << "course grade: another grading (or build) of build/grade is running; waiting for it to finish..." << '\n'
                      << std::flush;
            flock(lock, LOCK_EX);
        }

        Sandbox sandbox;
        sandbox.program = p.build / "tests" / "course_tests";
        char private_template[] = "/tmp/course-grade.XXXXXX";
        if (!mkdtemp(private_template)) throw Failure("cannot make a folder in /tmp");
        sandbox.private_dir = private_template;  // 0700: ours alone
        struct Cleanup {
            fs::path dir;
            ~Cleanup() {
                std::error_code ec;
                fs::remove_all(dir, ec);
            }
        } cleanup{sandbox.private_dir};
        sandbox.namespaces = !no_namespaces && namespaces_work();
        // The tests' namespace has an empty /tmp of its own: a course under it is out of their sight.
        const std::string real_root = fs::weakly_canonical(p.root).string();
        for (const char* dir : {"/tmp/", "/var/tmp/", "/dev/shm/"})
            if (sandbox.namespaces && real_root.rfind(dir, 0) == 0)
                throw Failure("the course is in " + real_root + ", under " + std::string(dir, std::strlen(dir) - 1) +
                              ", which the sandbox replaces by an empty folder for the tests, so they could not start. Move the "
                              "course elsewhere (your home folder), or grade with --no-namespaces (no private /tmp, no network "
                              "isolation)");
        if (!sandbox.namespaces) {
            // The tests' folder: theirs (nobody's), emptied with ours at the end.
            char work_template[] = "/tmp/course-grade-tests.XXXXXX";
            if (!mkdtemp(work_template)) throw Failure("cannot make a folder in /tmp");
            sandbox.work_dir = work_template;
            if (sandbox.as_nobody && chown(work_template, nobody_uid, nobody_gid) != 0)
                throw Failure("cannot give a folder to user nobody");
            std::cout << "course grade: " << (geteuid() != 0 ? "not root, so the tests run as you, " : "the tests run as user nobody, ")
                      << "without namespaces (no private /tmp, network allowed; a process that leaves its process group outlives "
                         "its test); the limits still hold\n";
        }
        struct Cleanup2 {
            fs::path dir;
            ~Cleanup2() {
                std::error_code ec;
                if (!dir.empty()) fs::remove_all(dir, ec);
            }
        } cleanup_work{sandbox.work_dir};

        bool is_class = false;
        const auto submissions = submissions_in(submission, is_class);
        const Setup setup = prepare(p, sandbox, jobs);

        std::vector<Graded> gradebook;
        for (const auto& [path, name] : submissions) {
            std::cout << "course grade: grading " << path.string() << '\n' << std::flush;
            const auto t = Clock::now();
            try {
                gradebook.push_back(grade_one(p, setup, sandbox, path, name, is_class ? out / name : out, jobs));
            } catch (const Failure& e) {
                std::cerr << "course grade: " << name << " not graded: " << e.what() << "\n";
                gradebook.push_back({name, {}, 0, std::string("not graded: ") + e.what(), {}});
            }
            std::cout << "course grade: " << name << " took " << seconds_text(seconds_since(t)) << "\n";
        }

        std::string csv = "submission";
        for (const std::string& id : setup.exercises) csv += "," + id;
        csv += ",total,note\n";
        for (const Graded& g : gradebook) {
            csv += csv_field(g.name);
            for (const std::string& id : setup.exercises) {
                const auto it = g.scores.find(id);
                csv += "," + (it == g.scores.end() ? std::string("0") : number(it->second));
            }
            csv += "," + number(g.total) + "," + csv_field(g.note) + "\n";
        }
        fs::create_directories(out);
        write_file(out / "grades.csv", csv);
        if (is_class) write_file(out / "class-summary.md", class_summary(gradebook, setup.exercises));
        std::cout << "course grade: wrote "
                  << (is_class ? (out / "NAME").string() + "/results.json, junit.xml, feedback.md and .html for each, " +
                                     (out / "class-summary.md").string() + " and "
                               : (out / "results.json").string() + " (Gradescope), " + (out / "junit.xml").string() + ", " +
                                     (out / "feedback.md").string() + " (and .html) and ")
                  << (out / "grades.csv").string() << " in " << seconds_text(seconds_since(started)) << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "course grade: " << e.what() << "\n";
        return 1;
    }
}
}  // namespace

int main(int argc, char** argv) {
    try {
        return grade_main(argc, argv);
    } catch (const std::exception& e) {  // what the command line's parsing itself throws
        std::cerr << "course grade: " << e.what() << "\n";
        return 1;
    }
}
