// args, environ, clocks, poll_oneoff, random, proc, sched and sock functions.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "wasi/errno_map.h"
#include "wasi/functions.h"
#include "wasi/host_util.h"

namespace waspvm::wasi {
namespace {

// ---------------------------------------------------------------- args, environ

// Writes the pointer array at `ptrs` and the NUL-terminated strings at `buf`.
uint32_t store_strings(const GuestMemory& memory, const std::vector<std::string>& list, uint32_t ptrs,
                       uint32_t buf) {
  uint64_t total = 0;
  for (const std::string& s : list) total += s.size() + 1;
  if (!memory.in_bounds(ptrs, uint64_t{list.size()} * 4) || !memory.in_bounds(buf, total)) return kFault;
  uint64_t offset = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    memory.store<uint32_t>(ptrs + 4 * uint64_t{i}, static_cast<uint32_t>(buf + offset));
    uint8_t* out = memory.at(buf + offset, list[i].size() + 1);
    std::memcpy(out, list[i].data(), list[i].size());
    out[list[i].size()] = 0;
    offset += list[i].size() + 1;
  }
  return kSuccess;
}

uint32_t store_sizes(const GuestMemory& memory, const std::vector<std::string>& list, uint32_t count_ptr,
                     uint32_t size_ptr) {
  uint64_t total = 0;
  for (const std::string& s : list) total += s.size() + 1;
  if (total > std::numeric_limits<uint32_t>::max()) return kOverflow;
  if (!memory.in_bounds(count_ptr, 4) || !memory.in_bounds(size_ptr, 4)) return kFault;
  memory.store<uint32_t>(count_ptr, static_cast<uint32_t>(list.size()));
  memory.store<uint32_t>(size_ptr, static_cast<uint32_t>(total));
  return kSuccess;
}

uint32_t args_get(WasiCall& call, uint32_t argv, uint32_t argv_buf) {
  return store_strings(call.memory, call.state.args(), argv, argv_buf);
}
uint32_t args_sizes_get(WasiCall& call, uint32_t argc_ptr, uint32_t size_ptr) {
  return store_sizes(call.memory, call.state.args(), argc_ptr, size_ptr);
}
uint32_t environ_get(WasiCall& call, uint32_t environ, uint32_t environ_buf) {
  return store_strings(call.memory, call.state.environ(), environ, environ_buf);
}
uint32_t environ_sizes_get(WasiCall& call, uint32_t count_ptr, uint32_t size_ptr) {
  return store_sizes(call.memory, call.state.environ(), count_ptr, size_ptr);
}

// ---------------------------------------------------------------- clocks

bool host_clock(uint32_t id, clockid_t& out) {
  switch (id) {
    case kClockRealtime: out = CLOCK_REALTIME; return true;
    case kClockMonotonic: out = CLOCK_MONOTONIC; return true;
    case kClockProcessCputime: out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case kClockThreadCputime: out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
  }
}

uint64_t now_ns(clockid_t clock) {
  struct timespec t;
  ::clock_gettime(clock, &t);
  return nanoseconds(t);
}

// clock_res_get and clock_time_get: `query` the clock `id` and store the u64 ns at `ptr`.
uint32_t store_clock_value(WasiCall& call, uint32_t id, uint32_t ptr,
                           int (*query)(clockid_t, struct timespec*)) {
  clockid_t clock;
  if (!host_clock(id, clock)) return kInval;
  if (!call.memory.in_bounds(ptr, 8)) return kFault;
  struct timespec t;
  if (query(clock, &t) != 0) return host_error();
  call.memory.store<uint64_t>(ptr, nanoseconds(t));
  return kSuccess;
}

uint32_t clock_res_get(WasiCall& call, uint32_t id, uint32_t resolution_ptr) {
  return store_clock_value(call, id, resolution_ptr, ::clock_getres);
}

uint32_t clock_time_get(WasiCall& call, uint32_t id, uint64_t /*precision*/, uint32_t time_ptr) {
  return store_clock_value(call, id, time_ptr, ::clock_gettime);
}

// ---------------------------------------------------------------- poll_oneoff

struct Event {
  uint32_t subscription = 0;  // index, for a deterministic order
  uint64_t userdata = 0;
  uint16_t error = 0;
  uint8_t type = 0;
  uint64_t nbytes = 0;
  uint16_t flags = 0;
};

struct ClockWait {
  uint32_t subscription;
  uint64_t userdata;
  uint64_t deadline;  // CLOCK_MONOTONIC ns
};

struct FdWait {
  uint32_t subscription;
  uint64_t userdata;
  uint8_t type;
  int host_fd;
};

uint64_t saturating_add(uint64_t a, uint64_t b) {
  return b > std::numeric_limits<uint64_t>::max() - a ? std::numeric_limits<uint64_t>::max() : a + b;
}

// A clock subscription's monotonic deadline; an errno for an unsupported clock.
uint16_t clock_deadline(uint32_t id, uint64_t timeout, uint16_t flags, uint64_t now, uint64_t& deadline) {
  if (flags & ~kSubclockAbstime) return kInval;
  bool absolute = flags & kSubclockAbstime;
  switch (id) {
    case kClockMonotonic: deadline = absolute ? timeout : saturating_add(now, timeout); return kSuccess;
    case kClockRealtime: {
      uint64_t real_now = now_ns(CLOCK_REALTIME);
      uint64_t delay = !absolute ? timeout : timeout > real_now ? timeout - real_now : 0;
      deadline = saturating_add(now, delay);
      return kSuccess;
    }
    case kClockProcessCputime:
    case kClockThreadCputime: return kNotSup;  // no way to sleep on CPU time
    default: return kInval;
  }
}

// How many bytes a ready descriptor can give without blocking (0 if unknown).
uint64_t readable_bytes(int fd) {
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    off_t position = ::lseek(fd, 0, SEEK_CUR);
    return position >= 0 && st.st_size > position ? static_cast<uint64_t>(st.st_size - position) : 0;
  }
  int available = 0;
  return ::ioctl(fd, FIONREAD, &available) == 0 && available > 0 ? static_cast<uint64_t>(available) : 0;
}

// Waits until a descriptor is ready or the earliest deadline passes (none:
// no time limit; `dont_block`: just looks).
uint32_t wait_for(std::vector<struct pollfd>& pollfds, const std::vector<ClockWait>& clocks,
                  bool dont_block) {
  uint64_t earliest = std::numeric_limits<uint64_t>::max();
  for (const ClockWait& c : clocks) earliest = std::min(earliest, c.deadline);
  for (;;) {
    uint64_t now = now_ns(CLOCK_MONOTONIC);
    uint64_t delay = dont_block ? 0 : earliest > now ? earliest - now : 0;
    struct timespec timeout = timespec_from_ns(delay);
    const bool forever = !dont_block && clocks.empty();
    int r;
    if (pollfds.empty()) {
      if (delay == 0) return kSuccess;
      struct timespec until = timespec_from_ns(earliest);
      r = ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr);
      if (r == EINTR) continue;
      return errno_from_host(r);
    }
    r = ::ppoll(pollfds.data(), pollfds.size(), forever ? nullptr : &timeout, nullptr);
    if (r < 0 && errno == EINTR) continue;
    return r < 0 ? host_error() : kSuccess;
  }
}

// Reads one subscription: a clock goes to `clocks`, a host descriptor to
// `pollfds`/`fd_waits`, anything decided at once (errors, callback stdio) to `events`.
uint32_t read_subscription(WasiCall& call, uint32_t index, uint64_t at, uint64_t now,
                           std::vector<ClockWait>& clocks, std::vector<FdWait>& fd_waits,
                           std::vector<struct pollfd>& pollfds, std::vector<Event>& events) {
  const GuestMemory& m = call.memory;
  Event event;
  event.subscription = index;
  uint8_t tag = 0;
  m.load(at + layout::kSubUserdata, event.userdata);
  m.load(at + layout::kSubTag, tag);
  event.type = tag;
  if (tag == kEventClock) {
    uint32_t id = 0;
    uint64_t timeout = 0, deadline = 0;
    uint16_t flags = 0;
    m.load(at + layout::kSubClockId, id);
    m.load(at + layout::kSubClockTimeout, timeout);
    m.load(at + layout::kSubClockFlags, flags);
    event.error = clock_deadline(id, timeout, flags, now, deadline);
    if (event.error == kSuccess)
      clocks.push_back({index, event.userdata, deadline});
    else
      events.push_back(event);
    return kSuccess;
  }
  if (tag != kEventFdRead && tag != kEventFdWrite) return kInval;
  uint32_t fd = 0;
  m.load(at + layout::kSubFd, fd);
  FdEntry* entry;
  event.error = static_cast<uint16_t>(call.state.lookup(fd, right::kPollFdReadwrite, entry));
  if (event.error == kSuccess && entry->kind == FdEntry::Kind::Host) {
    fd_waits.push_back({index, event.userdata, tag, entry->host_fd});
    pollfds.push_back({entry->host_fd, static_cast<short>(tag == kEventFdRead ? POLLIN : POLLOUT), 0});
    return kSuccess;
  }
  // Callback stdio never blocks; stdin with no source is at its end.
  if (event.error == kSuccess && entry->kind == FdEntry::Kind::Stdin && !call.state.config().stdin_source)
    event.flags = kEventFdReadwriteHangup;
  events.push_back(event);
  return kSuccess;
}

uint32_t poll_oneoff(WasiCall& call, uint32_t in, uint32_t out, uint32_t nsubscriptions,
                     uint32_t nevents_ptr) {
  if (nsubscriptions == 0) return kInval;
  constexpr uint32_t kMaxSubscriptions = 1u << 16;  // bounds the host memory a call can ask for
  if (!call.memory.in_bounds(in, uint64_t{nsubscriptions} * layout::kSubscriptionSize) ||
      !call.memory.in_bounds(out, uint64_t{nsubscriptions} * layout::kEventSize) ||
      !call.memory.in_bounds(nevents_ptr, 4))
    return kFault;
  if (nsubscriptions > kMaxSubscriptions) return kNotSup;

  std::vector<ClockWait> clocks;
  std::vector<FdWait> fd_waits;
  std::vector<struct pollfd> pollfds;
  std::vector<Event> events;
  uint64_t now = now_ns(CLOCK_MONOTONIC);
  for (uint32_t i = 0; i < nsubscriptions; ++i) {
    uint64_t at = in + uint64_t{i} * layout::kSubscriptionSize;
    if (uint32_t e = read_subscription(call, i, at, now, clocks, fd_waits, pollfds, events)) return e;
  }
  if (uint32_t e = wait_for(pollfds, clocks, !events.empty())) return e;

  now = now_ns(CLOCK_MONOTONIC);
  for (const ClockWait& c : clocks)
    if (c.deadline <= now) events.push_back({c.subscription, c.userdata, kSuccess, kEventClock, 0, 0});
  for (size_t i = 0; i < fd_waits.size(); ++i) {
    short revents = pollfds[i].revents;
    if (revents == 0) continue;
    const FdWait& w = fd_waits[i];
    Event event{w.subscription, w.userdata, kSuccess, w.type, 0, 0};
    if (revents & POLLNVAL)
      event.error = kBadf;
    else if ((revents & POLLERR) && !(revents & (POLLIN | POLLOUT)))
      event.error = kIo;
    if (revents & POLLHUP) event.flags = kEventFdReadwriteHangup;
    if (event.error == kSuccess && w.type == kEventFdRead) event.nbytes = readable_bytes(w.host_fd);
    events.push_back(event);
  }

  std::sort(events.begin(), events.end(),
            [](const Event& a, const Event& b) { return a.subscription < b.subscription; });
  uint8_t* base = call.memory.at(out, uint64_t{nsubscriptions} * layout::kEventSize);
  for (size_t i = 0; i < events.size(); ++i) {
    uint8_t* e = base + i * layout::kEventSize;
    std::memset(e, 0, layout::kEventSize);
    put_le<uint64_t>(e + layout::kEventUserdata, events[i].userdata);
    put_le<uint16_t>(e + layout::kEventError, events[i].error);
    e[layout::kEventType] = events[i].type;
    if (events[i].type != kEventClock) {
      put_le<uint64_t>(e + layout::kEventNbytes, events[i].nbytes);
      put_le<uint16_t>(e + layout::kEventFlags, events[i].flags);
    }
  }
  call.memory.store<uint32_t>(nevents_ptr, static_cast<uint32_t>(events.size()));
  return kSuccess;
}

// ---------------------------------------------------------------- random, proc, sched, sock

uint32_t random_get(WasiCall& call, uint32_t buf, uint32_t buf_len) {
  uint8_t* out = call.memory.at(buf, buf_len);
  if (out == nullptr) return kFault;
  size_t done = 0;
  while (done < buf_len) {
    ssize_t n = ::getrandom(out + done, buf_len - done, 0);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != ENOSYS) return host_error();
    // No getrandom(2): /dev/urandom.
    int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return host_error();
    while (done < buf_len) {
      ssize_t r = retry_eintr([&] { return ::read(fd, out + done, buf_len - done); });
      if (r <= 0) {
        ::close(fd);
        return r < 0 ? host_error() : kIo;
      }
      done += static_cast<size_t>(r);
    }
    ::close(fd);
  }
  return kSuccess;
}

uint32_t proc_raise(WasiCall&, uint32_t /*signal*/) { return kNoSys; }  // no signals in the sandbox

uint32_t sched_yield(WasiCall&) {
  ::sched_yield();
  return kSuccess;
}

// WaspVM hands the guest no sockets of its own, so the sock_* calls only
// tell what the descriptor is: unknown (BADF), a file, directory or
// character device (NOTSOCK, as Linux and wasmtime say), or a socket the host
// passed in as stdio, which WaspVM does not do socket calls on (NOTSUP).
uint32_t not_a_socket(WasiCall& call, uint32_t fd) {
  const FdEntry* entry = call.state.find(fd);
  if (entry == nullptr) return kBadf;
  bool socket = entry->filetype == kFiletypeSocketStream || entry->filetype == kFiletypeSocketDgram;
  return socket ? kNotSup : kNotSock;
}

uint32_t sock_accept(WasiCall& call, uint32_t fd, uint32_t /*flags*/, uint32_t /*result_fd_ptr*/) {
  return not_a_socket(call, fd);
}
uint32_t sock_recv(WasiCall& call, uint32_t fd, uint32_t /*ri_data*/, uint32_t /*ri_data_len*/,
                   uint32_t /*ri_flags*/, uint32_t /*ro_datalen_ptr*/, uint32_t /*ro_flags_ptr*/) {
  return not_a_socket(call, fd);
}
uint32_t sock_send(WasiCall& call, uint32_t fd, uint32_t /*si_data*/, uint32_t /*si_data_len*/,
                   uint32_t /*si_flags*/, uint32_t /*so_datalen_ptr*/) {
  return not_a_socket(call, fd);
}
uint32_t sock_shutdown(WasiCall& call, uint32_t fd, uint32_t /*how*/) { return not_a_socket(call, fd); }

}  // namespace

void define_clock_poll_random_functions(Linker& linker) {
  define_wasi(linker, "args_get", args_get);
  define_wasi(linker, "args_sizes_get", args_sizes_get);
  define_wasi(linker, "environ_get", environ_get);
  define_wasi(linker, "environ_sizes_get", environ_sizes_get);
  define_wasi(linker, "clock_res_get", clock_res_get);
  define_wasi(linker, "clock_time_get", clock_time_get);
  define_wasi(linker, "poll_oneoff", poll_oneoff);
  define_wasi(linker, "random_get", random_get);
  define_wasi(linker, "proc_raise", proc_raise);
  define_wasi(linker, "sched_yield", sched_yield);
  define_wasi(linker, "sock_accept", sock_accept);
  define_wasi(linker, "sock_recv", sock_recv);
  define_wasi(linker, "sock_send", sock_send);
  define_wasi(linker, "sock_shutdown", sock_shutdown);
  // proc_exit ends the whole call (a trap of code Exit), so it has no errno result.
  linker.func(kModuleName, "proc_exit", [](Caller& caller, uint32_t code) -> Result<void> {
    return caller.exit(static_cast<int32_t>(code));
  });
}

}  // namespace waspvm::wasi
