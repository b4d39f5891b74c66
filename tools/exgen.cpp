// exgen: makes the student's exercises/ from the reference solutions/.
//
// A solution file marks each exercise with two comment lines:
//
//     // BEGIN EXERCISE 1.1 (ch01-linear): one-line hint for the student.
//     ...reference code...
//     // END EXERCISE 1.1
//
// (ch01-linear) is the anchor of the chapter section that explains it. exgen keeps both
// marker lines and replaces what lies between them with a throw of bp::NotImplemented that
// names the exercise, the file and the section. Every other line is copied unchanged.
//
// The BEGIN line is the student's instruction, and exgen reads that one line only: it must
// fit within clang-format's column limit (ColumnLimit of .clang-format, 140). Past it,
// clang-format moves the last words to a comment line of their own, inside the region, and
// the stub and the exercise list would show the instruction cut mid-sentence; generate and
// check refuse a BEGIN line that is too long, or that is followed by a comment whose first
// word would not fit after it (what a wrap leaves behind).
//
// The hints that ./course hint shows one level at a time live apart from the code, one file per
// solutions folder (solutions/ch01/hints.md), so that the solution bodies the instructor's site
// shows stay code:
//
//     ## Exercise 1.1
//
//     1. what to look for in the section (the section itself is named for you)
//     2. the shapes
//     3. the Eigen operations that help
//        (an indented line continues the level above: one more line of it)
//     4. a worked example
//
// Text before the first heading is the file's own prose. Every exercise of the folder has a
// heading, with levels 1, 2, ... in order; generate writes them into exercises/.hints (the
// student edition, which has no solutions/, reads that), and check checks it.
//
//   exgen generate --solutions DIR --exercises DIR --chapters DIR [--force]
//       Writes the stubs. It records a hash of every file it writes (DIR/.exgen-hashes) and
//       refuses to overwrite a file that changed since, which is a student's work, unless
//       --force is given; then the old file is kept as backups/DIR/<file>.~N~ beside DIR (for
//       exercises/ch01/dense.cpp: backups/exercises/ch01/dense.cpp.~1~, ~2~, ...: the smallest
//       free N, as the library's bp::keep_as_backup names a model file's backups), where git
//       sees it: a backup is never overwritten, not even by a later --force. A missing file
//       (deleted or renamed) overwrites nothing, so it is written even when changed files stop
//       the rest.
//   exgen check --solutions DIR --exercises DIR --chapters DIR
//       Exits 1 if the exercises differ from what generate would write.
//   exgen stub --file FILE --chapters DIR [--lines N,M,...]
//       Grading: replaces, in FILE itself (a copy of a submission's exercise file), the code of
//       every exercise region that holds one of the lines (all regions without --lines) by
//       the stub's throw, and prints the ids of those exercises. Exits 3 if a line lies
//       outside every region (the given code around the exercises was changed).
//   exgen manifest --sources DIR --chapters DIR --out FILE [--points FILE]
//       Lists the exercises found in DIR (solutions or exercises), one per line, tab
//       separated: id, chapter, chapter title, file, line (the BEGIN marker), section anchor,
//       where to read, hint, end line (the END marker), points (from the points file's
//       "N.M POINTS" and "default POINTS" lines, '#' a comment; 1 without one), and the
//       chapter's ctest label (ch01). This file is the one list of the exercises: the course
//       tool, the tests' locator and the reports read it through tools/manifest.hpp, its one
//       reader; none of them reads the markers.

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Failure {
    std::string message;
};

struct Section {
    int chapter = 0;
    std::string chapter_title;  // from the page's first heading
    std::string title;
    std::string page;  // e.g. chapters/01-forward-pass/chapter.md
};

struct Region {
    std::string id;      // "1.1"
    std::string anchor;  // "ch01-linear"
    std::string hint;
    std::size_t begin_line = 0;  // 1-based, the BEGIN marker
    std::size_t end_line = 0;    // the END marker
};

// One exercise's hints: levels[level - 1] holds that level's lines.
using Hints = std::vector<std::vector<std::string>>;

const std::regex begin_re(R"(^(\s*)// BEGIN EXERCISE ([0-9]+)\.([0-9]+) \(([A-Za-z0-9_-]+)\): (.+)$)");
const std::regex end_re(R"(^\s*// END EXERCISE ([0-9]+\.[0-9]+)\s*$)");
const std::regex any_marker_re(R"(// (BEGIN|END) EXERCISE)");
const std::regex old_hint_re(R"(^\s*// HINT\b)");  // the hints' former place, inside the region

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Failure{"cannot read " + path.string()};
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_text(const fs::path& path, const std::string& text) {
    if (!path.parent_path().empty()) fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw Failure{"cannot write " + path.string()};
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// FNV-1a: enough to notice that a file changed; not a security measure.
std::string hash_of(const std::string& text) {
    std::uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
    std::ostringstream out;
    out << std::hex << h;
    return out.str();
}

// Sections are the headings with an anchor, "## The linear layer {#ch01-linear}", in
// chapters/NN-topic/chapter.md; NN is the chapter number.
std::map<std::string, Section> read_sections(const fs::path& chapters) {
    static const std::regex heading_re(R"(^#+\s+(.*?)\s*\{#([A-Za-z0-9_-]+)\}\s*$)");
    std::map<std::string, Section> sections;
    if (!fs::is_directory(chapters)) throw Failure{"no chapters folder at " + chapters.string()};
    for (const auto& entry : fs::directory_iterator(chapters)) {
        const fs::path page = entry.path() / "chapter.md";
        if (!fs::is_regular_file(page)) continue;
        const std::string folder = entry.path().filename().string();  // NN-topic
        int chapter = 0;
        const auto [rest, error] = std::from_chars(folder.data(), folder.data() + folder.size(), chapter);
        if (error != std::errc() || rest == folder.data() + folder.size() || *rest != '-' || chapter <= 0)
            throw Failure{"chapters/" + folder + " has a chapter.md, but a chapter's folder is named NN-topic (01-forward)"};
        std::string chapter_title;
        for (const std::string& line : split_lines(read_text(page))) {
            std::smatch m;
            if (!std::regex_match(line, m, heading_re)) continue;
            if (chapter_title.empty()) chapter_title = m[1];
            sections[m[2]] = {chapter, chapter_title, m[1], "chapters/" + entry.path().filename().string() + "/chapter.md"};
        }
    }
    return sections;
}

std::string where_to_read(const Section& s) {
    return "Chapter " + std::to_string(s.chapter) + ", section '" + s.title + "' (" + s.page + ")";
}

std::vector<Region> find_regions(const std::string& text, const std::string& file, const std::map<std::string, Section>& sections) {
    std::vector<Region> regions;
    const std::vector<std::string> lines = split_lines(text);
    std::optional<Region> open;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string at = file + ":" + std::to_string(i + 1) + ": ";
        std::smatch m;
        if (std::regex_match(lines[i], m, begin_re)) {
            if (open) throw Failure{at + "BEGIN EXERCISE inside exercise " + open->id + ", which has no END yet"};
            Region r{std::string(m[2]) + "." + std::string(m[3]), m[4], m[5], i + 1, 0};
            const auto section = sections.find(r.anchor);
            if (section == sections.end())
                throw Failure{at + "exercise " + r.id + " points at section {#" + r.anchor +
                              "}, which no chapters/*/chapter.md heading defines"};
            if (section->second.chapter != std::stoi(m[2]))
                throw Failure{at + "exercise " + r.id + " points at {#" + r.anchor + "}, a section of chapter " +
                              std::to_string(section->second.chapter)};
            open = r;
        } else if (std::regex_match(lines[i], m, end_re)) {
            if (!open) throw Failure{at + "END EXERCISE " + std::string(m[1]) + " without a BEGIN"};
            if (m[1] != open->id) throw Failure{at + "END EXERCISE " + std::string(m[1]) + " closes exercise " + open->id};
            open->end_line = i + 1;
            regions.push_back(*open);
            open.reset();
        } else if (std::regex_search(lines[i], any_marker_re)) {
            throw Failure{at +
                          "malformed exercise marker; the form is\n"
                          "    // BEGIN EXERCISE 1.1 (section-anchor): hint\n"
                          "    // END EXERCISE 1.1"};
        }
    }
    if (open) throw Failure{file + ":" + std::to_string(open->begin_line) + ": exercise " + open->id + " has no END"};
    return regions;
}

// The column limit where no .clang-format at or above the solutions folder sets one: the
// course's own (ColumnLimit in its .clang-format), for a folder copied out without that file.
constexpr std::size_t default_column_limit = 140;

// The ColumnLimit of the .clang-format that clang-format uses for files in `dir`: the first
// one found in dir or a folder above it. 0 means no limit, as for clang-format.
std::size_t column_limit(const fs::path& dir) {
    static const std::regex limit_re(R"(^\s*ColumnLimit\s*:\s*([0-9]{1,9})\s*(#.*)?$)");
    for (fs::path at = fs::absolute(dir).lexically_normal();; at = at.parent_path()) {
        if (fs::is_regular_file(at / ".clang-format")) {
            for (const std::string& line : split_lines(read_text(at / ".clang-format"))) {
                std::smatch m;
                if (std::regex_match(line, m, limit_re)) return std::stoul(m[1]);
            }
            return default_column_limit;  // a style without its own limit: the course's
        }
        if (at == at.parent_path()) return default_column_limit;
    }
}

// The columns clang-format gives a line: one per UTF-8 character ("⊙" is one, not three bytes).
std::size_t columns(const std::string& line) {
    return static_cast<std::size_t>(std::count_if(line.begin(), line.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// Refuses a BEGIN line that clang-format wraps, or has wrapped: exgen reads the instruction
// from that line alone. clang-format breaks a comment only when its next word does not fit,
// so a comment line after the marker is a wrap's remainder exactly when its first word would
// not fit at the marker's end; a separate comment after a marker short enough is left alone.
void refuse_wrapped_markers(const std::vector<std::string>& lines, const std::string& file, const std::vector<Region>& regions,
                            std::size_t limit) {
    static const std::regex comment_re(R"(^\s*//\s*(\S+).*$)");
    if (limit == 0) return;  // ColumnLimit: 0, clang-format breaks no line
    for (const Region& r : regions) {
        const std::string& marker = lines[r.begin_line - 1];
        const std::string at = file + ":" + std::to_string(r.begin_line) + ": the instruction of exercise " + r.id;
        const std::string shorten = "; shorten it to fit in " + std::to_string(limit) + " columns";
        if (columns(marker) > limit)
            throw Failure{at + " is " + std::to_string(columns(marker)) +
                          " columns long, and clang-format will wrap it onto the next line" + shorten};
        std::smatch m;
        const std::string& next = lines[r.begin_line];  // a region has its END line after the BEGIN line
        if (std::regex_match(next, m, comment_re) && !std::regex_match(next, end_re) && columns(marker) + 1 + columns(m[1]) > limit)
            throw Failure{at + " wraps onto the next line (\"" + std::string(m[1]) + "\" on line " + std::to_string(r.begin_line + 1) +
                          " did not fit)" + shorten};
    }
}

std::string escape_cpp(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

// The student's version of one solution file.
std::string make_stub(const std::string& text, const std::vector<Region>& regions, const std::string& exercise_path,
                      const std::map<std::string, Section>& sections) {
    const std::vector<std::string> lines = split_lines(text);
    std::string out;
    std::size_t next = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::size_t line_no = i + 1;
        if (next < regions.size() && line_no > regions[next].begin_line && line_no < regions[next].end_line) {
            if (line_no == regions[next].begin_line + 1) {
                const Region& r = regions[next];
                const std::string indent = lines[r.begin_line - 1].substr(0, lines[r.begin_line - 1].find('/'));
                out += indent + "throw bp::NotImplemented(\"" + r.id + "\", \"" + exercise_path + "\",\n" + indent +
                       "                         \"" + escape_cpp(where_to_read(sections.at(r.anchor))) + "\");\n";
            }
            continue;
        }
        if (next < regions.size() && line_no == regions[next].end_line) ++next;
        out += lines[i] + "\n";
    }
    return out;
}

std::vector<std::string> files_under(const fs::path& dir) {
    if (!fs::is_directory(dir)) throw Failure{"no folder at " + dir.string()};
    std::vector<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), dir).generic_string());
    std::sort(files.begin(), files.end());
    return files;
}

bool is_source(const std::string& file) {
    const std::string ext = fs::path(file).extension().string();
    return ext == ".cpp" || ext == ".hpp" || ext == ".h";
}

// Sorts "1.2" before "1.10".
bool id_less(const std::string& a, const std::string& b) {
    const auto key = [](const std::string& id) {
        return std::make_pair(std::stoi(id.substr(0, id.find('.'))), std::stoi(id.substr(id.find('.') + 1)));
    };
    return key(a) < key(b);
}

const char* const hints_file = ".hints";
const char* const hints_source = "hints.md";  // in each solutions folder

// The hints in one folder's hints.md (`file`, named as in messages), for the exercises marked
// in that folder's sources (`here`); `marked_in` names every exercise's file, for the message
// about hints filed in the wrong folder.
std::map<std::string, Hints> read_hints(const std::string& text, const std::string& file, const std::vector<Region>& here,
                                        const std::map<std::string, std::string>& marked_in) {
    static const std::regex heading_re(R"(^## Exercise ([0-9]+\.[0-9]+)\s*$)");
    static const std::regex level_re(R"(^([0-9]+)\. (.*\S)\s*$)");
    static const std::regex more_re(R"(^\s+(\S.*?)\s*$)");
    std::map<std::string, Hints> hints;
    std::map<std::string, std::size_t> heading_line;
    std::string id;  // the exercise whose heading came last
    const std::vector<std::string> lines = split_lines(text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string at = file + ":" + std::to_string(i + 1) + ": ";
        const std::string& line = lines[i];
        std::smatch m;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        if (!id.empty() && line.find('\t') != std::string::npos)  // exercises/.hints is tab separated
            throw Failure{at + "a tab; write spaces"};
        if (std::regex_match(line, m, heading_re)) {
            if (!id.empty() && hints[id].empty())
                throw Failure{file + ":" + std::to_string(heading_line[id]) + ": exercise " + id + " has a heading but no levels under it"};
            id = m[1];
            if (std::none_of(here.begin(), here.end(), [&](const Region& r) { return r.id == id; })) {
                const auto elsewhere = marked_in.find(id);
                if (elsewhere == marked_in.end())
                    throw Failure{at + "hints for exercise " + id + ", which no BEGIN EXERCISE marker defines"};
                const std::string folder = fs::path(elsewhere->second).parent_path().generic_string();
                throw Failure{at + "hints for exercise " + id + ", which is marked in solutions/" + elsewhere->second +
                              ": its hints go in solutions/" + folder + "/" + hints_source};
            }
            if (heading_line.count(id))
                throw Failure{at + "a second heading for exercise " + id + " (the first is line " + std::to_string(heading_line[id]) + ")"};
            heading_line[id] = i + 1;
            hints[id];
        } else if (line.rfind("## ", 0) == 0 || (!id.empty() && line.rfind('#', 0) == 0)) {
            throw Failure{at + "a heading that names no exercise; the form is\n    ## Exercise 1.1"};
        } else if (std::regex_match(line, m, level_re)) {
            if (id.empty()) throw Failure{at + "a hint level before any '## Exercise N.M' heading"};
            Hints& levels = hints[id];
            const std::size_t level = std::stoul(m[1].str().substr(0, 9));
            if (level != levels.size() + 1)
                throw Failure{at + "level " + m[1].str() + " of exercise " + id + " comes after level " + std::to_string(levels.size()) +
                              ": levels count up from 1, one at a time"};
            levels.push_back({m[2]});
        } else if (!id.empty() && std::regex_match(line, m, more_re)) {
            if (hints[id].empty()) throw Failure{at + "an indented line before exercise " + id + "'s level 1"};
            hints[id].back().push_back(m[1]);
        } else if (!id.empty()) {
            throw Failure{at +
                          "expected a level ('1. text'), an indented further line of the level above, or a heading "
                          "('## Exercise 1.1')"};
        }
    }
    if (!id.empty() && hints[id].empty())
        throw Failure{file + ":" + std::to_string(heading_line[id]) + ": exercise " + id + " has a heading but no levels under it"};
    for (const Region& r : here)
        if (!hints.count(r.id))
            throw Failure{"solutions/" + marked_in.at(r.id) + ":" + std::to_string(r.begin_line) + ": exercise " + r.id +
                          " has no hints in " + file + " (a '## Exercise " + r.id + "' heading, then its levels '1. ...')"};
    return hints;
}

// exercises/.hints: one line per hint line, "ID<TAB>LEVEL<TAB>TEXT", in exercise order. Level
// 1 starts with the section to read, which the marker names.
std::string hints_text(std::vector<Region> regions, const std::map<std::string, Hints>& hints,
                       const std::map<std::string, Section>& sections) {
    std::sort(regions.begin(), regions.end(), [](const Region& a, const Region& b) { return id_less(a.id, b.id); });
    std::string text = "# Written by exgen from solutions/*/hints.md: ./course hint N.M shows them one level at a time.\n";
    for (const Region& r : regions) {
        text += r.id + "\t1\tRead " + where_to_read(sections.at(r.anchor)) + ".\n";
        const Hints& levels = hints.at(r.id);
        for (std::size_t level = 0; level < levels.size(); ++level)
            for (const std::string& line : levels[level]) text += r.id + "\t" + std::to_string(level + 1) + "\t" + line + "\n";
    }
    return text;
}

// Every exercise file, keyed by its path under exercises/, as generate would write it.
std::map<std::string, std::string> expected_exercises(const fs::path& solutions, const fs::path& chapters) {
    const auto sections = read_sections(chapters);
    const std::size_t limit = column_limit(solutions);
    std::map<std::string, std::string> out;
    std::map<std::string, std::string> seen;  // exercise id -> file
    std::map<std::string, std::vector<Region>> by_folder;
    std::vector<Region> all;
    for (const std::string& file : files_under(solutions)) {
        const std::string folder = fs::path(file).parent_path().generic_string();
        if (fs::path(file).filename() == hints_source) {
            by_folder[folder];  // read below, once every exercise is known
            continue;
        }
        const std::string text = read_text(solutions / file);
        if (!is_source(file)) {
            out[file] = text;
            continue;
        }
        const std::vector<std::string> lines = split_lines(text);
        for (std::size_t i = 0; i < lines.size(); ++i)
            if (std::regex_search(lines[i], old_hint_re))
                throw Failure{"solutions/" + file + ":" + std::to_string(i + 1) + ": a HINT line; hints now go in solutions/" + folder +
                              "/" + hints_source + ", under '## Exercise N.M', as '1. text'"};
        const std::vector<Region> regions = find_regions(text, "solutions/" + file, sections);
        refuse_wrapped_markers(lines, "solutions/" + file, regions, limit);
        for (const Region& r : regions) {
            if (seen.count(r.id)) throw Failure{"exercise " + r.id + " is marked in both " + seen[r.id] + " and " + file};
            seen[r.id] = file;
        }
        auto& here = by_folder[folder];
        here.insert(here.end(), regions.begin(), regions.end());
        all.insert(all.end(), regions.begin(), regions.end());
        out[file] = make_stub(text, regions, "exercises/" + file, sections);
    }
    std::map<std::string, Hints> hints;
    for (const auto& [folder, regions] : by_folder) {
        const std::string name = (folder.empty() ? "" : folder + "/") + hints_source;
        const bool exists = fs::exists(solutions / name);
        if (!exists && regions.empty()) continue;
        hints.merge(read_hints(exists ? read_text(solutions / name) : "", "solutions/" + name, regions, seen));
    }
    out[hints_file] = hints_text(all, hints, sections);
    return out;
}

const char* const hashes_file = ".exgen-hashes";

std::map<std::string, std::string> read_hashes(const fs::path& exercises) {
    std::map<std::string, std::string> hashes;
    std::ifstream in(exercises / hashes_file);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.find(' ');
        if (space != std::string::npos) hashes[line.substr(space + 1)] = line.substr(0, space);
    }
    return hashes;
}

std::string hashes_text(const std::map<std::string, std::string>& files) {
    std::string text = "# Written by exgen (tools/exgen.cpp): the hash of each file as last generated.\n";
    for (const auto& [file, content] : files) text += hash_of(content) + " " + file + "\n";
    return text;
}

// Where the backups of the files in `exercises` go: backups/<its name> beside it, a folder
// that git shows (git status lists it; git clean -X, which removes ignored files, leaves it).
fs::path backup_folder(const fs::path& exercises) {
    fs::path dir = exercises.lexically_normal();
    if (dir.filename().empty()) dir = dir.parent_path();  // "exercises/"
    return dir.parent_path() / "backups" / dir.filename();
}

// The backups of `file` (a path under exercises/) that exist, <backups>/<file>.~N~ (and
// <file>.N, which an older exgen kept), in order of N.
std::vector<fs::path> backups_of(const fs::path& backups, const std::string& file) {
    static const std::regex numbered_re(R"(^\.(?:~([0-9]{1,9})~|([0-9]{1,9}))$)");
    std::vector<std::pair<int, fs::path>> found;
    const fs::path folder = (backups / file).parent_path();
    const std::string base = fs::path(file).filename().string();
    if (!fs::is_directory(folder)) return {};
    for (const auto& entry : fs::directory_iterator(folder)) {
        const std::string name = entry.path().filename().string();
        std::smatch m;
        const std::string rest = name.rfind(base, 0) == 0 ? name.substr(base.size()) : "";
        if (std::regex_match(rest, m, numbered_re)) found.emplace_back(std::stoi(m[1].matched ? m[1] : m[2]), entry.path());
    }
    std::sort(found.begin(), found.end());
    std::vector<fs::path> paths;
    paths.reserve(found.size());
    for (const auto& [number, p] : found) paths.push_back(p);
    return paths;
}

// Copies `path` (exercises/<file>) to the first free <backups>/<file>.~N~ (N = 1, 2, ...) and
// returns that name. An existing backup is never overwritten: copy_file without
// overwrite_existing refuses if the name was taken in the meantime, and then the next number
// is tried.
fs::path keep_backup(const fs::path& path, const fs::path& backups, const std::string& file) {
    fs::create_directories((backups / file).parent_path());
    for (int n = 1;; ++n) {
        fs::path backup = (backups / file).string() + ".~" + std::to_string(n) + "~";
        if (fs::exists(fs::symlink_status(backup))) continue;
        std::error_code error;
        if (fs::copy_file(path, backup, fs::copy_options::none, error)) return backup;
        if (!fs::exists(fs::symlink_status(backup)))
            throw Failure{"cannot keep a backup of " + path.string() + " as " + backup.string() + ": " + error.message() +
                          "; nothing was overwritten"};
    }
}

int generate(const fs::path& solutions, const fs::path& exercises, const fs::path& chapters, bool force) {
    const auto expected = expected_exercises(solutions, chapters);
    const auto recorded = read_hashes(exercises);
    const fs::path backups = backup_folder(exercises);
    std::vector<std::string> edited;
    for (const auto& [file, content] : expected) {
        const fs::path path = exercises / file;
        if (!fs::exists(path)) continue;
        const std::string current = read_text(path);
        const auto it = recorded.find(file);
        const bool untouched = it != recorded.end() && it->second == hash_of(current);
        if (current != content && !untouched) edited.push_back(file);
    }
    if (!edited.empty() && !force) {
        // A missing file (deleted, or renamed) replaces nothing: it is written all the same.
        int restored = 0;
        for (const auto& [file, content] : expected)
            if (!fs::exists(exercises / file)) {
                write_text(exercises / file, content);
                std::cout << "exgen: wrote " << (exercises / file).string() << ", which was missing\n";
                ++restored;
            }
        std::cerr << "exgen: these exercise files changed since they were generated (a student's work?):\n";
        for (const std::string& file : edited) std::cerr << "    " << (exercises / file).string() << "\n";
        std::cerr << (restored ? "Nothing else was written" : "Nothing was written")
                  << ". Run again with --force to replace them; each old file is then kept\n"
                     "as "
                  << (backups / "<file>.~N~").string() << " (never overwriting an earlier backup).\n";
        return 1;
    }
    int written = 0;
    for (const auto& [file, content] : expected) {
        const fs::path path = exercises / file;
        if (fs::exists(path) && read_text(path) == content) continue;
        if (std::find(edited.begin(), edited.end(), file) != edited.end()) {
            const fs::path backup = keep_backup(path, backups, file);
            std::cout << "kept your old " << path.string() << " as " << backup.string() << "\n";
            for (const fs::path& earlier : backups_of(backups, file))
                if (earlier != backup) std::cout << "    an earlier backup, untouched: " << earlier.string() << "\n";
        }
        write_text(path, content);
        ++written;
    }
    write_text(exercises / hashes_file, hashes_text(expected));
    std::cout << "exgen: " << expected.size() << " exercise files, " << written << " written\n";
    return 0;
}

int check(const fs::path& solutions, const fs::path& exercises, const fs::path& chapters) {
    auto expected = expected_exercises(solutions, chapters);
    expected[hashes_file] = hashes_text(expected);
    int differ = 0;
    for (const auto& [file, content] : expected) {
        const fs::path path = exercises / file;
        if (!fs::exists(path)) {
            std::cerr << "exgen check: " << path.string() << " is missing\n";
            ++differ;
        } else if (read_text(path) != content) {
            const auto want = split_lines(content), have = split_lines(read_text(path));
            std::size_t i = 0;
            while (i < want.size() && i < have.size() && want[i] == have[i]) ++i;
            std::cerr << "exgen check: " << path.string() << ":" << i + 1 << " differs from what exgen generates\n"
                      << "    generated: " << (i < want.size() ? want[i] : "<end of file>") << "\n"
                      << "    committed: " << (i < have.size() ? have[i] : "<end of file>") << "\n";
            ++differ;
        }
    }
    // (A <file>.student-backup-N is a backup that an older exgen kept beside the file.)
    for (const std::string& file : files_under(exercises))
        if (!expected.count(file) && file.find(".student-backup") == std::string::npos) {
            std::cerr << "exgen check: " << (exercises / file).string() << " has no counterpart in solutions/\n";
            ++differ;
        }
    if (differ) {
        std::cerr << "exgen check: " << differ << " file(s) out of date; run ./course generate\n";
        return 1;
    }
    std::cout << "exgen check: exercises/ is what solutions/ generates (" << expected.size() - 1 << " files)\n";
    return 0;
}

std::string tsv_field(std::string s) {
    std::replace(s.begin(), s.end(), '\t', ' ');
    return s;
}

int stub(const fs::path& file, const fs::path& chapters, const std::string& lines_text) {
    const auto sections = read_sections(chapters);
    const std::string text = read_text(file);
    const std::vector<Region> regions = find_regions(text, file.string(), sections);
    std::vector<Region> chosen;
    bool outside = false;
    if (lines_text.empty()) {
        chosen = regions;
    } else {
        std::istringstream in(lines_text);
        for (std::string item; std::getline(in, item, ',');) {
            const std::size_t line = std::stoul(item);
            const auto it =
                std::find_if(regions.begin(), regions.end(), [&](const Region& r) { return line > r.begin_line && line < r.end_line; });
            if (it == regions.end()) outside = true;
            else if (std::none_of(chosen.begin(), chosen.end(), [&](const Region& r) { return r.id == it->id; })) chosen.push_back(*it);
        }
        std::sort(chosen.begin(), chosen.end(), [](const Region& a, const Region& b) { return a.begin_line < b.begin_line; });
    }
    // The stub's message names the file as exercises/<path below exercises/>.
    std::string path = file.generic_string();
    if (const auto at = path.rfind("/exercises/"); at != std::string::npos) path = path.substr(at + 1);
    write_text(file, make_stub(text, chosen, path, sections));
    for (const Region& r : chosen) std::cout << r.id << "\n";
    return outside ? 3 : 0;
}

// Points per exercise: "N.M POINTS" and "default POINTS" lines; '#' starts a comment.
std::map<std::string, std::string> read_points(const fs::path& file, std::string& fallback) {
    std::map<std::string, std::string> points;
    fallback = "1";
    if (file.empty()) return points;
    std::istringstream in(read_text(file));
    int line_no = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        line = line.substr(0, line.find('#'));
        std::istringstream fields(line);
        std::string key, value;
        if (!(fields >> key)) continue;
        char* end = nullptr;
        const double number = (fields >> value) ? std::strtod(value.c_str(), &end) : -1;
        if (value.empty() || *end != '\0' || !(number >= 0) || number > 1e9)
            throw Failure{file.string() + ":" + std::to_string(line_no) + ": expected 'N.M POINTS' or 'default POINTS'"};
        (key == "default" ? fallback : points[key]) = value;
    }
    return points;
}

int manifest(const fs::path& sources, const fs::path& chapters, const fs::path& out, const fs::path& points_file) {
    const auto sections = read_sections(chapters);
    std::string fallback_points;
    auto points = read_points(points_file, fallback_points);
    const std::string edition = sources.filename().string();
    std::vector<std::pair<Region, std::string>> all;
    for (const std::string& file : files_under(sources)) {
        if (!is_source(file)) continue;
        for (const Region& r : find_regions(read_text(sources / file), edition + "/" + file, sections))
            all.emplace_back(r, edition + "/" + file);
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return id_less(a.first.id, b.first.id); });
    std::string text;
    for (const auto& [r, file] : all) {
        const Section& s = sections.at(r.anchor);
        const auto p = points.find(r.id);
        const std::string label = std::string(s.chapter < 10 ? "ch0" : "ch") + std::to_string(s.chapter);
        text += r.id + "\t" + std::to_string(s.chapter) + "\t" + tsv_field(s.chapter_title) + "\t" + file + "\t" +
                std::to_string(r.begin_line) + "\t" + r.anchor + "\t" + tsv_field(where_to_read(s)) + "\t" + tsv_field(r.hint) + "\t" +
                std::to_string(r.end_line) + "\t" + (p == points.end() ? fallback_points : p->second) + "\t" + label + "\n";
        if (p != points.end()) points.erase(p);
    }
    if (!points.empty())
        throw Failure{points_file.string() + " gives points to exercise " + points.begin()->first + ", which does not exist"};
    write_text(out, text);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::vector<std::string> args(argv + 1, argv + argc);
        const auto option = [&](const std::string& name) -> fs::path {
            const auto it = std::find(args.begin(), args.end(), name);
            if (it == args.end() || it + 1 == args.end()) throw Failure{"missing " + name + " DIR"};
            return *(it + 1);
        };
        const bool force = std::find(args.begin(), args.end(), "--force") != args.end();
        const std::string command = args.empty() ? "" : args[0];
        if (command == "generate") return generate(option("--solutions"), option("--exercises"), option("--chapters"), force);
        if (command == "check") return check(option("--solutions"), option("--exercises"), option("--chapters"));
        if (command == "manifest") {
            const bool has_points = std::find(args.begin(), args.end(), "--points") != args.end();
            return manifest(option("--sources"), option("--chapters"), option("--out"), has_points ? option("--points") : fs::path());
        }
        if (command == "stub") {
            const bool has_lines = std::find(args.begin(), args.end(), "--lines") != args.end();
            return stub(option("--file"), option("--chapters"), has_lines ? option("--lines").string() : "");
        }
        std::cerr << "usage: exgen generate|check --solutions DIR --exercises DIR --chapters DIR [--force]\n"
                     "       exgen manifest --sources DIR --chapters DIR --out FILE [--points FILE]\n"
                     "       exgen stub --file FILE --chapters DIR [--lines N,M,...]\n";
        return 2;
    } catch (const Failure& f) {
        std::cerr << "exgen: " << f.message << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "exgen: " << e.what() << "\n";
        return 1;
    }
}
