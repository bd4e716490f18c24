// descriptor-guard: preloaded (LD_PRELOAD) into the test process by ./scripts/test, it stops
// that process (SIGILL) with a backtrace the moment it
//   - closes a descriptor that is not open (closed twice, or never opened), or
//   - dup2()/dup3()s onto a number above 2 it chose itself: in a process with many threads that
//     number may be open at that moment, and dup2 then silently closes a descriptor another thread
//     owns (a pipe swift-subprocess just made for another test's child, say). Refused whether or
//     not the number happens to be open, so the mistake shows on every run, not one in four.
// Without it such a bug shows up later and elsewhere: swift-subprocess traps on "FileDescriptor
// N is already closed", SQLite reports "locking protocol", a child's output goes missing.
//
// It watches only the programs named in PROVISION_DESCRIPTOR_GUARD (space-separated base names
// of /proc/self/exe), and in them only the process itself, not a child between fork and exec
// (which may close every descriptor it inherited). A watched process drops LD_PRELOAD from its
// environment, so the servers and tools the tests start do not load it.
// Linux only (glibc's RTLD_NEXT, /proc).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pid_t watched_pid;  // 0: this process is not watched

typedef int (*close_function)(int);
typedef int (*dup2_function)(int, int);
typedef int (*dup3_function)(int, int, int);

static void *next_symbol(const char *name) {
    void *symbol = dlsym(RTLD_NEXT, name);
    if (symbol == NULL) {
        static const char message[] = "descriptor-guard: cannot find the C library's functions\n";
        (void)!write(2, message, sizeof message - 1);
        abort();
    }
    return symbol;
}

static int watching(void) { return watched_pid != 0 && getpid() == watched_pid; }

static int is_open(int fd) {
    int saved = errno;
    int open = fcntl(fd, F_GETFD) != -1 || errno != EBADF;
    errno = saved;
    return open;
}

static void refuse(const char *call, int fd, const char *why) {
    char line[512];
    int length = snprintf(line, sizeof line,
                          "\ndescriptor-guard: %s(%d) refused in pid %d: %s.\n"
                          "descriptor-guard: a descriptor belongs to whoever opened it; ask the kernel for a "
                          "free one (fcntl F_DUPFD) instead of choosing a number. Backtrace:\n",
                          call, fd, (int)getpid(), why);
    if (length > 0) (void)!write(2, line, (size_t)length < sizeof line ? (size_t)length : sizeof line - 1);
    void *frames[64];
    backtrace_symbols_fd(frames, backtrace(frames, 64), 2);
    // A trap here, not abort(): Swift's crash reporter unwinds by frame pointers, which this
    // file keeps (-fno-omit-frame-pointer) and the C library's abort() does not, so the
    // report then names the Swift function that made the call.
    __builtin_trap();
}

// Takes this library out of LD_PRELOAD (and only it), so the programs the watched process
// starts do not load it.
static void forget_preload(void) {
    const char *preload = getenv("LD_PRELOAD");
    Dl_info self;
    if (preload == NULL || dladdr((void *)forget_preload, &self) == 0 || self.dli_fname == NULL) return;
    char kept[PATH_MAX * 4];
    size_t used = 0, own = strlen(self.dli_fname);
    for (const char *cursor = preload; *cursor;) {
        size_t word = strcspn(cursor, ": ");
        if (word > 0 && !(word == own && strncmp(cursor, self.dli_fname, word) == 0) && used + word + 2 < sizeof kept) {
            if (used > 0) kept[used++] = ':';
            memcpy(kept + used, cursor, word);
            used += word;
        }
        cursor += word;
        if (*cursor) cursor++;
    }
    kept[used] = '\0';
    if (used == 0) unsetenv("LD_PRELOAD");
    else setenv("LD_PRELOAD", kept, 1);
}

__attribute__((constructor)) static void descriptor_guard_start(void) {
    const char *programs = getenv("PROVISION_DESCRIPTOR_GUARD");
    if (programs == NULL) return;
    char executable[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    if (length <= 0) return;
    executable[length] = '\0';
    const char *name = strrchr(executable, '/');
    name = name ? name + 1 : executable;
    size_t name_length = strlen(name);
    for (const char *cursor = programs; *cursor;) {
        while (*cursor == ' ') cursor++;
        size_t word = strcspn(cursor, " ");
        if (word == name_length && word > 0 && strncmp(cursor, name, word) == 0) {
            watched_pid = getpid();
            forget_preload();
            return;
        }
        cursor += word;
    }
}

int close(int fd) {
    static close_function next;
    if (next == NULL) next = (close_function)next_symbol("close");
    if (fd >= 0 && watching() && !is_open(fd)) {
        refuse("close", fd, "it is not open: closed twice, or never opened here");
    }
    return next(fd);
}

// dup2 and dup3 onto a number above 2 (0-2 are the process's standard streams, which it may
// redirect on purpose).
static void refuse_chosen_target(const char *call, int to) {
    if (to > 2 && watching()) {
        refuse(call, to,
               is_open(to) ? "the target is open: the call closes it under whoever owns it"
                           : "a chosen number may belong to another thread by the time it is used");
    }
}

int dup2(int from, int to) {
    static dup2_function next;
    if (next == NULL) next = (dup2_function)next_symbol("dup2");
    refuse_chosen_target("dup2", to);
    return next(from, to);
}

int dup3(int from, int to, int flags) {
    static dup3_function next;
    if (next == NULL) next = (dup3_function)next_symbol("dup3");
    refuse_chosen_target("dup3", to);
    return next(from, to, flags);
}
