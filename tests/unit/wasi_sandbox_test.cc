// Tests of the WASI sandbox path resolver (src/wasi/sandbox.h). Every test
// runs twice: with openat2 where the kernel has it, and with the portable
// component walk forced. Each test gets a fresh tree:
//
//   <tmp>/secret          outside the sandbox: nothing may ever open it
//   <tmp>/root/           the sandbox (root_fd_)
//   <tmp>/root/a/b/file   "in a/b"
//   <tmp>/root/a/file     "in a"
//
// and checks that it leaves no descriptor open.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>

#include "wasi/sandbox.h"

namespace waspvm::wasi {
namespace {

constexpr char kSecret[] = "TOP SECRET";

int count_open_fds() {
#if defined(__linux__)
  const char* fd_dir = "/proc/self/fd";
#else
  const char* fd_dir = "/dev/fd";
#endif
  DIR* dir = opendir(fd_dir);
  if (dir == nullptr) return -1;
  int count = 0;
  while (readdir(dir) != nullptr) ++count;
  closedir(dir);
  return count;
}

void write_file(const std::string& path, const std::string& contents) {
  FILE* file = fopen(path.c_str(), "w");
  ASSERT_NE(file, nullptr) << path;
  fputs(contents.c_str(), file);
  fclose(file);
}

// Reads what a descriptor holds, and closes it.
std::string read_and_close(int fd) {
  std::string contents;
  char buffer[256];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) contents.append(buffer, static_cast<size_t>(n));
  close(fd);
  return contents;
}

bool same_file(int fd, const std::string& path) {
  struct stat by_fd, by_path;
  if (fstat(fd, &by_fd) != 0 || stat(path.c_str(), &by_path) != 0) return false;
  return by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

bool exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

class SandboxTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    set_force_component_walk(GetParam());
    char pattern[] = "/tmp/wasp_sandbox_XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    outer_ = pattern;
    root_ = outer_ + "/root";
    write_file(outer_ + "/secret", kSecret);
    ASSERT_EQ(mkdir(root_.c_str(), 0755), 0);
    ASSERT_EQ(mkdir((root_ + "/a").c_str(), 0755), 0);
    ASSERT_EQ(mkdir((root_ + "/a/b").c_str(), 0755), 0);
    write_file(root_ + "/a/b/file", "in a/b");
    write_file(root_ + "/a/file", "in a");
    root_fd_ = open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(root_fd_, 0);
    fds_at_start_ = count_open_fds();
  }

  void TearDown() override {
    EXPECT_EQ(count_open_fds(), fds_at_start_) << "descriptors leaked";
    if (root_fd_ >= 0) close(root_fd_);
    std::error_code ignored;
    std::filesystem::remove_all(outer_, ignored);
    set_force_component_walk(false);
  }

  void symlink_in_root(const std::string& target, const std::string& name) {
    ASSERT_EQ(symlink(target.c_str(), (root_ + "/" + name).c_str()), 0) << name;
  }

  // The errno of opening `path` read-only (0 if it opened).
  int open_error(std::string_view path, bool follow = true, int flags = O_RDONLY) {
    Resolved r = open_beneath(root_fd_, path, flags, 0, follow);
    if (r.error == 0) {
      EXPECT_GE(r.fd, 0);
      // Whatever opened, it must never be the secret.
      EXPECT_NE(read_and_close(r.fd), kSecret) << path;
    } else {
      EXPECT_EQ(r.fd, -1);
    }
    return r.error;
  }

  std::string read_path(std::string_view path, bool follow = true) {
    Resolved r = open_beneath(root_fd_, path, O_RDONLY, 0, follow);
    EXPECT_EQ(r.error, 0) << path << ": " << strerror(r.error);
    if (r.error != 0) return "<error>";
    return read_and_close(r.fd);
  }

  // Resolves a parent and checks it: the directory (a path on the host) and
  // the name; closes the descriptor.
  void expect_parent(std::string_view path, const std::string& host_dir, const std::string& name,
                     bool must_be_dir) {
    ResolvedParent p = resolve_parent_beneath(root_fd_, path);
    ASSERT_EQ(p.error, 0) << path << ": " << strerror(p.error);
    ASSERT_GE(p.dirfd, 0);
    EXPECT_TRUE(same_file(p.dirfd, host_dir)) << path << " should resolve in " << host_dir;
    EXPECT_EQ(p.name, name) << path;
    EXPECT_EQ(p.must_be_dir, must_be_dir) << path;
    close(p.dirfd);
  }

  int parent_error(std::string_view path) {
    ResolvedParent p = resolve_parent_beneath(root_fd_, path);
    if (p.error != 0) {
      EXPECT_EQ(p.dirfd, -1);
    } else {
      close(p.dirfd);
    }
    return p.error;
  }

  std::string outer_, root_;
  int root_fd_ = -1;
  int fds_at_start_ = 0;
};

// ---- Escapes ------------------------------------------------------------

TEST_P(SandboxTest, RefusesDotDotAboveTheRoot) {
  EXPECT_EQ(open_error("../secret"), kEscapeErrno);
  EXPECT_EQ(open_error(".."), kEscapeErrno);
  EXPECT_EQ(open_error("a/../../secret"), kEscapeErrno);
  EXPECT_EQ(open_error("a/b/../../../secret"), kEscapeErrno);
  EXPECT_EQ(open_error("./../secret"), kEscapeErrno);
  EXPECT_EQ(open_error("../root/a/file"), kEscapeErrno);  // even coming back in
}

TEST_P(SandboxTest, RefusesAbsolutePaths) {
  EXPECT_EQ(open_error("/etc/passwd"), kEscapeErrno);
  EXPECT_EQ(open_error("/"), kEscapeErrno);
  EXPECT_EQ(open_error(root_ + "/a/file"), kEscapeErrno);
}

TEST_P(SandboxTest, RefusesSymlinksLeadingOutside) {
  symlink_in_root("../secret", "link");
  symlink_in_root("/etc/passwd", "abs");
  symlink_in_root("/etc", "absdir");
  symlink_in_root("..", "dirlink");
  symlink_in_root("../../secret", "a/deeplink");
  EXPECT_EQ(open_error("link"), kEscapeErrno);
  EXPECT_EQ(open_error("abs"), kEscapeErrno);
  EXPECT_EQ(open_error("absdir/passwd"), kEscapeErrno);
  EXPECT_EQ(open_error("dirlink/secret"), kEscapeErrno);
  EXPECT_EQ(open_error("dirlink/root/a/file"), kEscapeErrno);
  EXPECT_EQ(open_error("dirlink"), kEscapeErrno);
  EXPECT_EQ(open_error("a/deeplink"), kEscapeErrno);
  EXPECT_EQ(open_error("a/b/../deeplink"), kEscapeErrno);
}

TEST_P(SandboxTest, RefusesSymlinkChainsLeadingOutside) {
  symlink_in_root("l2", "l1");
  symlink_in_root("a/l3", "l2");
  symlink_in_root("../../secret", "a/l3");
  EXPECT_EQ(open_error("l1"), kEscapeErrno);
  EXPECT_EQ(open_error("l2"), kEscapeErrno);
}

TEST_P(SandboxTest, SymlinkLoopsGiveEloop) {
  symlink_in_root("loop2", "loop1");
  symlink_in_root("loop1", "loop2");
  symlink_in_root("self", "self");
  EXPECT_EQ(open_error("loop1"), ELOOP);
  EXPECT_EQ(open_error("self"), ELOOP);
  EXPECT_EQ(open_error("loop1/x"), ELOOP);
  EXPECT_EQ(parent_error("loop2/x"), ELOOP);
}

TEST_P(SandboxTest, AllowsExactlyFortySymlinkExpansions) {
  // c0 -> c1 -> ... -> c40 -> a/file: 41 expansions from c0, 40 from c1.
  for (int i = 0; i < 40; ++i) symlink_in_root("c" + std::to_string(i + 1), "c" + std::to_string(i));
  symlink_in_root("a/file", "c40");
  EXPECT_EQ(open_error("c0"), ELOOP);
  EXPECT_EQ(read_path("c1"), "in a");
}

TEST_P(SandboxTest, DotDotAfterADirectorySymlinkIsPhysical) {
  symlink_in_root("a/b", "sub");
  // sub/.. is a (the parent of a/b), not the root.
  EXPECT_EQ(read_path("sub/../file"), "in a");
  EXPECT_EQ(read_path("sub/file"), "in a/b");
  EXPECT_EQ(open_error("sub/../../../secret"), kEscapeErrno);
  symlink_in_root("a", "suba");
  EXPECT_EQ(open_error("suba/../../secret"), kEscapeErrno);
}

TEST_P(SandboxTest, FinalSymlinkFollowsOnlyWhenAsked) {
  symlink_in_root("a/file", "flink");
  symlink_in_root("a/b", "dlink");
  EXPECT_EQ(open_error("flink", /*follow=*/false), ELOOP);
  EXPECT_EQ(read_path("flink", /*follow=*/true), "in a");
  EXPECT_EQ(open_error("dlink", /*follow=*/false, O_RDONLY | O_DIRECTORY), ELOOP);
  Resolved dir = open_beneath(root_fd_, "dlink", O_RDONLY | O_DIRECTORY, 0, true);
  ASSERT_EQ(dir.error, 0);
  EXPECT_TRUE(same_file(dir.fd, root_ + "/a/b"));
  close(dir.fd);
  // A trailing slash follows the final symlink, as in open(2).
  dir = open_beneath(root_fd_, "dlink/", O_RDONLY, 0, false);
  ASSERT_EQ(dir.error, 0);
  EXPECT_TRUE(same_file(dir.fd, root_ + "/a/b"));
  close(dir.fd);
#if defined(O_PATH)
  EXPECT_EQ(open_error("flink", /*follow=*/false, O_PATH), ELOOP);
#endif
}

TEST_P(SandboxTest, CreatingThroughASymlinkNeverCreatesOutside) {
  symlink_in_root("../newfile", "evil");
  symlink_in_root(outer_ + "/newfile2", "evilabs");
  symlink_in_root("a/../../newfile3", "evil3");
  for (bool follow : {true, false}) {
    for (int flags : {O_WRONLY | O_CREAT, O_WRONLY | O_CREAT | O_TRUNC, O_RDWR | O_CREAT | O_APPEND}) {
      int expected = follow ? kEscapeErrno : ELOOP;
      EXPECT_EQ(open_error("evil", follow, flags), expected);
      EXPECT_EQ(open_error("evilabs", follow, flags), expected);
      EXPECT_EQ(open_error("evil3", follow, flags), expected);
    }
    // O_EXCL never follows a final symlink.
    EXPECT_EQ(open_error("evil", follow, O_WRONLY | O_CREAT | O_EXCL), EEXIST);
  }
  EXPECT_FALSE(exists(outer_ + "/newfile"));
  EXPECT_FALSE(exists(outer_ + "/newfile2"));
  EXPECT_FALSE(exists(outer_ + "/newfile3"));
  EXPECT_EQ(open_error("../newfile4", true, O_WRONLY | O_CREAT), kEscapeErrno);
  EXPECT_FALSE(exists(outer_ + "/newfile4"));
}

TEST_P(SandboxTest, CreatingThroughADanglingSymlinkInsideWorks) {
  symlink_in_root("a/created", "good");
  Resolved r = open_beneath(root_fd_, "good", O_WRONLY | O_CREAT, 0644, true);
  ASSERT_EQ(r.error, 0) << strerror(r.error);
  close(r.fd);
  EXPECT_TRUE(exists(root_ + "/a/created"));
}

TEST_P(SandboxTest, RejectsEmptyPathsAndNulBytes) {
  EXPECT_EQ(open_error(""), ENOENT);
  EXPECT_EQ(open_error(std::string_view("a/file\0", 7)), EINVAL);
  EXPECT_EQ(open_error(std::string_view("a\0/../../secret", 15)), EINVAL);
  EXPECT_EQ(parent_error(""), ENOENT);
  EXPECT_EQ(parent_error(std::string_view("a/\0b", 4)), EINVAL);
  EXPECT_EQ(open_error(std::string(PATH_MAX, 'a')), ENAMETOOLONG);
}

// ---- Allowed paths ------------------------------------------------------

TEST_P(SandboxTest, OpensPathsBeneathTheRoot) {
  EXPECT_EQ(read_path("a/b/file"), "in a/b");
  EXPECT_EQ(read_path("a/./b/file"), "in a/b");
  EXPECT_EQ(read_path("./a//b///file"), "in a/b");
  EXPECT_EQ(read_path("a/../a/file"), "in a");
  EXPECT_EQ(read_path("a/b/../../a/b/../file"), "in a");
  ASSERT_EQ(mkdir((root_ + "/c").c_str(), 0755), 0);
  EXPECT_EQ(read_path("a/../c/../a/file"), "in a");
  EXPECT_EQ(open_error("a/missing"), ENOENT);
  EXPECT_EQ(open_error("missing/file"), ENOENT);
  EXPECT_EQ(open_error("a/file/x"), ENOTDIR);
  EXPECT_EQ(open_error("a/file/../file"), ENOTDIR);
  // A mode without O_CREAT is ignored, as by open(2).
  Resolved r = open_beneath(root_fd_, "a/file", O_RDONLY, 0644, true);
  ASSERT_EQ(r.error, 0) << strerror(r.error);
  close(r.fd);
}

TEST_P(SandboxTest, OpensDirectories) {
  const std::pair<std::string_view, std::string> cases[] = {{".", root_},
                                                            {"./", root_},
                                                            {"a", root_ + "/a"},
                                                            {"a/", root_ + "/a"},
                                                            {"a/b/..", root_ + "/a"},
                                                            {"a/b/../", root_ + "/a"},
                                                            {"a/.", root_ + "/a"},
                                                            {"a//", root_ + "/a"},
                                                            {"a/..", root_}};
  for (const auto& [path, host_dir] : cases) {
    Resolved r = open_beneath(root_fd_, path, O_RDONLY | O_DIRECTORY, 0, false);
    ASSERT_EQ(r.error, 0) << path << ": " << strerror(r.error);
    EXPECT_TRUE(same_file(r.fd, host_dir)) << path;
    close(r.fd);
  }
  EXPECT_EQ(open_error("a/file/"), ENOTDIR);
  EXPECT_EQ(open_error("a/file", true, O_RDONLY | O_DIRECTORY), ENOTDIR);
  EXPECT_EQ(open_error("newdir/", true, O_WRONLY | O_CREAT), EISDIR);
  EXPECT_EQ(open_error("a", true, O_WRONLY), EISDIR);
  EXPECT_FALSE(exists(root_ + "/newdir"));
}

TEST_P(SandboxTest, FollowsSymlinksThatStayInside) {
  symlink_in_root("a/b/file", "tofile");
  symlink_in_root("a/b", "todir");
  symlink_in_root("../b/file", "a/b/up");  // leaves a/b but not the root
  symlink_in_root("./b/../b/./file", "a/twisty");
  symlink_in_root("b/", "a/slashed");
  symlink_in_root("todir", "chain");
  EXPECT_EQ(read_path("tofile"), "in a/b");
  EXPECT_EQ(read_path("todir/file"), "in a/b");
  EXPECT_EQ(read_path("a/b/up"), "in a/b");
  EXPECT_EQ(read_path("a/twisty"), "in a/b");
  EXPECT_EQ(read_path("a/slashed/file"), "in a/b");
  EXPECT_EQ(read_path("chain/file"), "in a/b");
  EXPECT_EQ(read_path("chain/../file"), "in a");
  EXPECT_EQ(read_path("todir/up"), "in a/b");
}

TEST_P(SandboxTest, CreatesFiles) {
  Resolved r = open_beneath(root_fd_, "a/b/new", O_WRONLY | O_CREAT | O_EXCL, 0600, false);
  ASSERT_EQ(r.error, 0) << strerror(r.error);
  ASSERT_EQ(write(r.fd, "x", 1), 1);
  close(r.fd);
  struct stat st;
  ASSERT_EQ(stat((root_ + "/a/b/new").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(open_error("a/b/new", false, O_WRONLY | O_CREAT | O_EXCL), EEXIST);
}

TEST_P(SandboxTest, NoDescriptorLeaksOnManyPaths) {
  symlink_in_root("../secret", "link");
  symlink_in_root("a/b", "todir");
  symlink_in_root("loop", "loop");
  int before = count_open_fds();
  for (int i = 0; i < 50; ++i) {
    for (std::string_view path :
         {"a/b/file", "a/b/../../../secret", "link", "todir/file", "todir/../../x", "loop/x", "a/file/x"}) {
      Resolved r = open_beneath(root_fd_, path, O_RDONLY, 0, i % 2 == 0);
      if (r.error == 0) close(r.fd);
      ResolvedParent p = resolve_parent_beneath(root_fd_, path);
      if (p.error == 0) close(p.dirfd);
    }
  }
  EXPECT_EQ(count_open_fds(), before);
}

// ---- resolve_parent_beneath ---------------------------------------------

TEST_P(SandboxTest, ResolvesParents) {
  expect_parent("a/b/c", root_ + "/a/b", "c", false);
  expect_parent("a/b/", root_ + "/a", "b", true);
  expect_parent("a/b//", root_ + "/a", "b", true);
  expect_parent("a//b", root_ + "/a", "b", false);
  expect_parent("file", root_, "file", false);
  expect_parent(".", root_, ".", false);
  expect_parent("./", root_, ".", true);
  expect_parent("a/..", root_, ".", false);
  expect_parent("a/b/..", root_ + "/a", ".", false);
  expect_parent("a/b/../", root_ + "/a", ".", true);
  expect_parent("a/.", root_ + "/a", ".", false);
  expect_parent("./a/./b/x", root_ + "/a/b", "x", false);
}

TEST_P(SandboxTest, ResolveParentRefusesEscapes) {
  symlink_in_root("..", "dirlink");
  symlink_in_root("/etc", "absdir");
  EXPECT_EQ(parent_error(".."), kEscapeErrno);
  EXPECT_EQ(parent_error("../"), kEscapeErrno);
  EXPECT_EQ(parent_error("../x"), kEscapeErrno);
  EXPECT_EQ(parent_error("a/../.."), kEscapeErrno);
  EXPECT_EQ(parent_error("a/../../x"), kEscapeErrno);
  EXPECT_EQ(parent_error("/etc/passwd"), kEscapeErrno);
  EXPECT_EQ(parent_error("dirlink/x"), kEscapeErrno);
  EXPECT_EQ(parent_error("dirlink/.."), kEscapeErrno);
  EXPECT_EQ(parent_error("absdir/passwd"), kEscapeErrno);
  EXPECT_EQ(parent_error("a/file/x"), ENOTDIR);
  EXPECT_EQ(parent_error("missing/x"), ENOENT);
}

// "name/" must be a directory, checked without following a final symlink:
// the *at() calls get the name without its slash, so the kernel never
// follows a link the resolver has not seen.
TEST_P(SandboxTest, ResolveParentChecksTrailingSlashWithoutFollowing) {
  ASSERT_EQ(mkdir((outer_ + "/outside_dir").c_str(), 0755), 0);
  symlink_in_root("../outside_dir", "outlink");
  symlink_in_root("a", "inlink");
  EXPECT_EQ(parent_error("outlink/"), ENOTDIR);
  EXPECT_EQ(parent_error("inlink/"), ENOTDIR);  // even a link that stays inside
  EXPECT_EQ(parent_error("a/b/file/"), ENOTDIR);
  expect_parent("a/b/", root_ + "/a", "b", true);      // an existing directory
  expect_parent("a/new/", root_ + "/a", "new", true);  // not there yet: fine (mkdir "new/")
  expect_parent("a/b/file", root_ + "/a/b", "file", false);
}

TEST_P(SandboxTest, ResolveParentLeavesTheFinalSymlinkAlone) {
  symlink_in_root("../secret", "link");
  symlink_in_root("a/b", "todir");
  expect_parent("link", root_, "link", false);
  expect_parent("todir", root_, "todir", false);
  EXPECT_EQ(parent_error("todir/"), ENOTDIR);  // "link/" is refused, not followed (see above)
  expect_parent("todir/x", root_ + "/a/b", "x", false);
  expect_parent("todir/..", root_ + "/a", ".", false);
}

// A host process moves a directory out of the sandbox and back while the
// guest opens "a/b/../secret": if ".." were looked up by the kernel from the
// moved directory, the walk would reach <tmp>/secret.
TEST_P(SandboxTest, ConcurrentRenamesDoNotEscape) {
  std::atomic<bool> stop{false};
  std::string inside = root_ + "/a/b", outside = outer_ + "/b";
  std::thread mover([&] {
    while (!stop.load()) {
      if (rename(inside.c_str(), outside.c_str()) == 0) rename(outside.c_str(), inside.c_str());
    }
  });
  int escapes = 0;
  for (int i = 0; i < 5000; ++i) {
    Resolved r = open_beneath(root_fd_, "a/b/../secret", O_RDONLY, 0, true);
    if (r.error == 0) {
      if (read_and_close(r.fd) == kSecret) ++escapes;
    }
    ResolvedParent p = resolve_parent_beneath(root_fd_, "a/b/../x");
    if (p.error == 0) {
      if (same_file(p.dirfd, outer_)) ++escapes;
      close(p.dirfd);
    }
  }
  stop.store(true);
  mover.join();
  EXPECT_EQ(escapes, 0);
}

INSTANTIATE_TEST_SUITE_P(Resolvers, SandboxTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string("ComponentWalk") : std::string("Openat2");
                         });

}  // namespace
}  // namespace waspvm::wasi
