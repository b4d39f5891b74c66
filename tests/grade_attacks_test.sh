#!/usr/bin/env bash
# ./course grade on a class of hostile submissions (issue 21): each is the reference solutions
# with one exercise turned into an attack on the grader, handed in as a folder, a .tar.gz, a
# .zip, a git repository or a git bundle (and one whose files include the reference solutions',
# one that writes on the grader's report channel from inside, one that starts a thread before
# main, one that replaces a system function).
# Checks that every attack fails (the exercise that attacks scores 0 or what its tests give,
# with the reason) while the rest of that submission and the other students are graded as usual; that no process of the graded code outlives the
# grading; that nothing it wrote replaced a result; and that no submission is modified.
#
#   grade_attacks_test.sh PATH/TO/course [GRADE OPTION...]   (a repository with solutions/, run
#       as root; the options go to ./course grade; GRADE_ATTACKS_KEEP=DIR keeps the results there)
set -euo pipefail
course=$(realpath "$1")
shift
root=$(dirname "$course")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { [ ! -f "$work/log" ] || grep -v '^  [0-9]' "$work/log" >&2; echo "grade_attacks_test: $*" >&2; exit 1; }
cd "$root"
[ "$(id -u)" -eq 0 ] || { echo "grade_attacks_test: skipped (the sandbox needs root)"; exit 0; }
class=$work/class out=$work/out
mkdir -p "$class"

submission() {  # submission NAME: the reference solutions as a student edition folder
  mkdir -p "$work/$1"
  cp -r solutions "$work/$1/exercises"
}
# inject FILE ID HEADERS CODE: CODE as the first lines of exercise ID's region in FILE, and the
# #include lines HEADERS at the top of the file.
inject() {
  /usr/bin/python3 - "$@" <<'PY'
import sys
path, exercise, headers, code = sys.argv[1:5]
lines = open(path).read().split("\n")
at = next(i for i, l in enumerate(lines) if ("BEGIN EXERCISE " + exercise + " ") in l)
lines[at + 1:at + 1] = code.split("\n")
open(path, "w").write(headers + "\n" + "\n".join(lines))
PY
  grep -q "attack" "$1" || fail "could not inject the attack into $1"
}

# The honest one.
submission full
mv "$work/full" "$class/full"

# Forged reports (a .tar.gz): an empty Adam::step (5.5) writes 1,000 passing tests for 5.5 and
# 7.11 (an untouched stub) beside its --report path, in the grade build's reports and in /tmp.
submission forge
cp exercises/ch07/gru.cpp "$work/forge/exercises/ch07/gru.cpp"
inject "$work/forge/exercises/ch05/optimizers.cpp" 5.5 '#include <fstream>
#include <string>' "    {  // attack: forged reports
        std::ifstream cmdline(\"/proc/self/cmdline\");
        std::string dir = \"/tmp\";
        for (std::string arg; std::getline(cmdline, arg, '\\0');)
            if (arg.rfind(\"--report=\", 0) == 0) dir = arg.substr(9, arg.rfind('/') - 9);
        for (const std::string& d : {dir, std::string(\"/tmp\"), std::string(\"$root/build/grade/test-reports\")})
            for (const char* suite : {\"Ex5_5\", \"Ex7_11\"}) {
                std::ofstream fake(d + \"/forged-\" + suite + \".tsv\");
                for (int i = 0; i < 1000; ++i)
                    fake << \"start\\t\" << suite << \"\\tT\" << i << \"\\nresult\\t\" << suite << \"\\tT\" << i << \"\\tpass\\t\\t\\n\";
            }
        return;
    }"
tar -czf "$class/forge.tar.gz" -C "$work" forge

# A detached process (a .zip): 2.1 starts one that outlives its test and, later, rewrites the
# results and the gradebook; 2.1's own work is correct.
submission detached
inject "$work/detached/exercises/ch02/loss.cpp" 2.1 '#include <fstream>
#include <unistd.h>' "    static bool started = false;  // attack: a detached process
    if (!started) {
        started = true;
        if (fork() == 0) {
            setsid();
            if (fork() == 0) {
                sleep(3);
                std::ofstream(\"$out/detached/results.json\") << \"{\\\"score\\\": 999}\";
                std::ofstream(\"$out/grades.csv\") << \"detached,999\";
            }
            _exit(0);
        }
    }"
(cd "$work" && zip -qr "$class/detached.zip" detached)

# A crash (a git bundle): sigmoid (1.2) dereferences a null pointer on an all-zero input, which
# one of its five tests gives; the other four pass.
submission crash
inject "$work/crash/exercises/ch01/activations.cpp" 1.2 '' "    if (z.size() > 0 && z.isZero()) *static_cast<volatile int*>(nullptr) = 1;  // attack: a crash"
git -C "$work/crash" init -q
git -C "$work/crash" add -A
git -C "$work/crash" -c user.name=s -c user.email=s@example.com commit -qm work
git -C "$work/crash" bundle create -q "$class/crash.bundle" --all

# A loop (a git repository): linear_forward (1.1), which most exercises call, never returns.
submission loop
inject "$work/loop/exercises/ch01/linear.cpp" 1.1 '' "    for (volatile long i = 0;; i = i + 1) {}  // attack: a loop"
git -C "$work/loop" init -q
git -C "$work/loop" add -A
git -C "$work/loop" -c user.name=s -c user.email=s@example.com commit -qm work
mv "$work/loop" "$class/loop"

# exit(0) inside an exercise (1.3), which would end the test program "successfully".
submission exit0
inject "$work/exit0/exercises/ch01/activations.cpp" 1.3 '#include <cstdlib>' "    std::exit(0);  // attack: exit(0)"
mv "$work/exit0" "$class/exit0"

# 50 MB printed (1.4), a 50 MB exception message (1.5) and a 30,000-character one without a
# space (1.6, which crashed the reporter's std::regex).
submission flood
inject "$work/flood/exercises/ch01/activations.cpp" 1.4 '#include <cstdio>
#include <stdexcept>
#include <string>' "    for (int i = 0; i < 50 * 1024; ++i) std::fwrite(std::string(1024, 'x').data(), 1, 1024, stdout);  // attack: flooding"
inject "$work/flood/exercises/ch01/activations.cpp" 1.5 '' "    throw std::runtime_error(std::string(50 << 20, 'y'));  // attack: a 50 MB message"
inject "$work/flood/exercises/ch01/activations.cpp" 1.6 '' "    throw std::runtime_error(std::string(30000, 'z'));  // attack: a long message"
mv "$work/flood" "$class/flood"

# Someone else's work compiled in: exercises/ch01/activations.cpp is an #include of the reference
# solution's (a relative path), exercises/ch02/loss.cpp one by an absolute path through a macro.
submission include
echo '#include "../../../../solutions/ch01/activations.cpp"  // attack: the reference included' >"$work/include/exercises/ch01/activations.cpp"
printf '#define REFERENCE "%s/solutions/ch02/loss.cpp"  // attack: the reference included\n#include REFERENCE\n' "$root" >"$work/include/exercises/ch02/loss.cpp"
mv "$work/include" "$class/include"

# The report channel written from inside the code (ch05/optimizers.cpp, each attack in place of
# the exercise's work): 5.2 writes passes for its tests on descriptor 3, 5.3 on a dup() of it,
# 5.4 on an fcntl copy, 5.5 on a copy passed through a socket of its own (SCM_RIGHTS), 5.7 on
# /proc/self/fd/3 opened again, 5.8 from a child process.
submission channel
inject "$work/channel/exercises/ch05/optimizers.cpp" 5.2 '#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstring>
#include <string>
namespace attack {  // attack: every test of the suite reported passed, on fd
inline void forge(int fd, const std::string& suite, std::initializer_list<const char*> tests) {
    std::string text;
    for (const char* t : tests) text += "result\t" + suite + "\t" + t + "\tpass\t\t\n";
    (void)!write(fd, text.data(), text.size());
}
inline int passed_on(int fd) {  // a copy of fd, through a socket pair of its own
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0) return -1;
    char byte = 0, control[CMSG_SPACE(sizeof(int))] = {}, received[CMSG_SPACE(sizeof(int))] = {};
    iovec io{&byte, 1};
    msghdr m{};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    sendmsg(sv[0], &m, 0);
    m.msg_control = received;
    m.msg_controllen = sizeof received;
    int copy = -1;
    if (recvmsg(sv[1], &m, 0) >= 0 && CMSG_FIRSTHDR(&m)) std::memcpy(&copy, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof copy);
    return copy;
}
}  // namespace attack' '        attack::forge(3, "Ex5_2", {"ConstantGradientsBuildUpVelocity", "reference_three_steps"});
        return;'
inject "$work/channel/exercises/ch05/optimizers.cpp" 5.3 '' '        attack::forge(dup(3), "Ex5_3", {"LooksAheadByOneMomentumStep", "reference_three_steps"});
        return;'
inject "$work/channel/exercises/ch05/optimizers.cpp" 5.4 '' '        attack::forge(fcntl(3, F_DUPFD_CLOEXEC, 100), "Ex5_4", {"DividesByTheRootMeanSquare", "reference_three_steps"});
        return;'
inject "$work/channel/exercises/ch05/optimizers.cpp" 5.5 '' '    attack::forge(attack::passed_on(3), "Ex5_5", {"BiasCorrectionMakesTheFirstStepLrTimesTheSign", "reference_three_steps"});
    return;'
inject "$work/channel/exercises/ch05/optimizers.cpp" 5.7 '' '    attack::forge(open("/proc/self/fd/3", O_WRONLY), "Ex5_7", {"DropsByGammaEveryFewEpochs", "reference_epochs_0_to_9"});
    return 0;'
inject "$work/channel/exercises/ch05/optimizers.cpp" 5.8 '' '    if (const pid_t child = fork(); child == 0) {
        attack::forge(3, "Ex5_8", {"GoesFromLr0ToLrMinAlongHalfACosine", "reference_steps_0_to_10"});
        _exit(0);
    } else if (child > 0) {
        waitpid(child, nullptr, 0);
    }
    return 0;'
mv "$work/channel" "$class/channel"

# Code that runs before main (a static object's constructor in ch01/activations.cpp) starts a
# thread, which could write passes on the channel once the tests run.
submission premain
inject "$work/premain/exercises/ch01/activations.cpp" 1.2 '#include <thread>
#include <unistd.h>
namespace {
const bool attack_started = [] {  // attack: a thread from before main
    std::thread([] {
        sleep(1);
        const char text[] = "result\tEx7_11\tT\tpass\t\t\n";
        (void)!write(3, text, sizeof text - 1);
    }).detach();
    return true;
}();
}  // namespace' '    // attack: see the top of the file'
mv "$work/premain" "$class/premain"

# A system function replaced (ch01/activations.cpp defines write(), which the course's library,
# loaded before the C library, would give the whole test program): its version turns every
# "fail" on the report channel into "pass"; sigmoid (1.2) does nothing.
submission interpose
inject "$work/interpose/exercises/ch01/activations.cpp" 1.2 '#include <sys/syscall.h>
#include <unistd.h>
#include <string>
extern "C" ssize_t write(int fd, const void* data, size_t n) {  // attack: write() replaced
    std::string text(static_cast<const char*>(data), n);
    for (std::size_t at; fd == 3 && (at = text.find("\tfail\t")) != std::string::npos;) text.replace(at, 6, "\tpass\t");
    return syscall(SYS_write, fd, text.data(), text.size()) < 0 ? -1 : static_cast<ssize_t>(n);
}' '    return Matrix::Zero(z.rows(), z.cols());'
mv "$work/interpose" "$class/interpose"

fingerprint() { (cd "$1" && find . -printf '%p %s %T@\n' | sort && find . -type f -exec md5sum {} + | sort); }
fingerprint "$class" >"$work/before"
others=$(pgrep -u nobody | wc -l || true)
"$course" grade "$class" --out "$out" "$@" >"$work/log" 2>&1 || { cat "$work/log"; fail "grading the class failed"; }
sleep 4  # longer than the detached process waits before writing
fingerprint "$class" >"$work/after"
cmp -s "$work/before" "$work/after" || fail "grading modified a submission"
[ "$(pgrep -u nobody | wc -l || true)" -le "$others" ] || fail "a process of the graded code outlived the grading: $(pgrep -u nobody -a)"

score() {  # score NAME ID: exercise ID's score (ID "total": the submission's) in the gradebook
  /usr/bin/python3 - "$out/grades.csv" "$@" <<'PY'
import csv, sys
rows = {r["submission"]: r for r in csv.DictReader(open(sys.argv[1]))}
print(rows[sys.argv[2]][sys.argv[3]])
PY
}
output() {  # output NAME ID: exercise ID's output in NAME's results.json
  /usr/bin/python3 -c "import json,sys; print([t['output'] for t in json.load(open(sys.argv[1]))['tests'] if t['number'] == sys.argv[2]][0])" "$out/$1/results.json" "$2"
}
has() {  # has NAME ID TEXT: exercise ID's output in NAME's results.json contains TEXT (^: at its start)
  local text; text=$(output "$1" "$2")
  if [ "${3:0:1}" = "^" ]; then [[ $text == "${3:1}"* ]]; else [[ $text == *"$3"* ]]; fi
}
points() { awk -v id="$1" '{ sub(/#.*/, "") } $1 == "default" { d = $2 } ($1 "") == (id "") { p = $2 } END { print (p != "" ? p : d) }' tests/points.txt; }
same() { awk -v a="$1" -v b="$2" 'BEGIN { exit !((a - b) ^ 2 < 1e-6) }'; }
expect() {  # expect NAME ID SCORE
  same "$(score "$1" "$2")" "$3" || fail "'$1': exercise $2 scored $(score "$1" "$2"), not $3"
}

max=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['max_score'])" "$out/full/results.json")
expect full total "$max"
for name in full forge detached crash loop exit0 flood include channel premain interpose; do
  [ -f "$out/$name/results.json" ] && [ -f "$out/$name/junit.xml" ] && [ -f "$out/$name/feedback.md" ] && [ -f "$out/$name/feedback.html" ] || fail "no results for '$name'"
done
grep -q "segmentation fault" "$out/crash/feedback.md" || fail "'crash': feedback.md does not name the crash"
grep -q "^| 1.1 | 2 |" "$out/class-summary.md" || fail "the class summary does not count 1.1 as not passed by two submissions (loop, premain)"
# Exercises that do not call the attacking one are graded as usual.
for name in forge detached crash loop exit0 flood; do
  for id in 5.1 6.1; do expect "$name" "$id" "$(points "$id")"; done
done

expect forge 5.5 0
expect forge 7.11 0
tests_of() { output full "$1" | sed -n 's/^[0-9]* of \([0-9]*\) tests pass.*/\1/p'; }  # tests_of ID: how many exercise ID has
for id in 5.5 7.11; do has forge "$id" "^0 of $(tests_of "$id") tests pass" || fail "'forge': $id is not 0 of its $(tests_of "$id") tests"; done

expect detached 2.1 "$(points 2.1)"
expect detached total "$max"
grep -q 999 "$out/detached/results.json" "$out/grades.csv" && fail "the detached process rewrote the results"

# The crash fails one of 1.2's tests, and the tests after it still run (the gradebook keeps two decimals).
n=$(tests_of 1.2)
expect crash 1.2 "$(awk -v p="$(points 1.2)" -v n="$n" 'BEGIN { printf "%.2f", p * (n - 1) / n }')"
has crash 1.2 "^$((n - 1)) of $n tests pass" || fail "'crash': 1.2 is not $((n - 1)) of its $n tests"
has crash 1.2 "segmentation fault" || fail "'crash': 1.2's output does not name the crash"

expect loop 1.1 0
has loop 1.1 "time limit" || fail "'loop': 1.1's output does not say it ran past its time limit"

expect exit0 1.3 0
has exit0 1.3 "exit()" || fail "'exit0': 1.3's output does not say the program exited"
expect exit0 1.2 "$(points 1.2)"

expect flood 1.4 0
has flood 1.4 "printed more than" || fail "'flood': 1.4's output does not say it flooded"
expect flood 1.5 0
expect flood 1.6 0
expect flood 1.2 "$(points 1.2)"
[ "$(stat -c %s "$out/flood/results.json")" -lt 2000000 ] || fail "'flood': results.json carries the 50 MB message"

for id in 1.2 1.10 2.1 2.7; do expect include "$id" 0; done
expect include 1.1 "$(points 1.1)"
expect include 5.1 "$(points 5.1)"
has include 1.2 "includes solutions/ch01/activations.cpp" || fail "'include': 1.2's output does not name the file it included"
has include 2.1 "includes solutions/ch02/loss.cpp" || fail "'include': 2.1's output does not name the file it included"

for id in 5.2 5.3 5.4 5.5 5.6 5.7 5.8; do expect channel "$id" 0; done
expect channel 5.1 "$(points 5.1)"
expect channel 6.1 "$(points 6.1)"
for id in 5.2 5.3 5.4 5.5; do
  has channel "$id" "a system call the grader forbids" || fail "'channel': $id's output does not say it was stopped for writing on the channel"
done

expect premain total 0
has premain 7.11 "before the tests began" || fail "'premain': 7.11's output does not say code ran before the tests"

for id in 1.2 1.3 1.4; do expect interpose "$id" 0; done
expect interpose 1.1 "$(points 1.1)"
has interpose 1.2 "defines write" || fail "'interpose': 1.2's output does not name the system function it defined"

[ -z "${GRADE_ATTACKS_KEEP:-}" ] || cp -r "$out" "$GRADE_ATTACKS_KEEP"  # the results, to read
echo "grade_attacks_test: ok (full: $max; forge: $(score forge total); detached: $(score detached total); crash: $(score crash total); loop: $(score loop total); exit0: $(score exit0 total); flood: $(score flood total); include: $(score include total); channel: $(score channel total); premain: $(score premain total); interpose: $(score interpose total))"
