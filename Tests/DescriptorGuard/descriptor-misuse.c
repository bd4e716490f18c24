// descriptor-misuse: what descriptor-guard must stop, each as a tiny program that
// Tests/TestSupportTests/DescriptorGuardTests.swift runs under the guard.
//   chosen-number    what ChildProcessTests once did, alone: dup2(opened, 250), then close(250)
//   onto-owned       the same while another owner holds 250 (as swift-subprocess's pipe did in
//                    the failing runs of issue 15)
//   close-twice      closes one descriptor twice
//   free-high        the fix: the kernel picks a free descriptor at or above 250 (F_DUPFD)
// It prints "got through" and exits 0 when nothing stopped it.
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: descriptor-misuse chosen-number|onto-owned|close-twice|free-high\n");
        return 2;
    }
    int opened = open("/dev/null", O_WRONLY);
    if (opened < 0) return 3;
    if (strcmp(argv[1], "chosen-number") == 0) {
        if (dup2(opened, 250) != 250) return 4;
        close(250);
    } else if (strcmp(argv[1], "onto-owned") == 0) {
        int owner[2];
        if (pipe(owner) != 0) return 3;
        int owned = fcntl(owner[0], F_DUPFD_CLOEXEC, 250);
        if (owned != 250) return 4;
        if (dup2(opened, owned) != owned) return 4;
        close(owned);
    } else if (strcmp(argv[1], "close-twice") == 0) {
        close(opened);
        close(opened);
    } else if (strcmp(argv[1], "free-high") == 0) {
        int high = fcntl(opened, F_DUPFD, 250);
        if (high < 250) return 4;
        close(high);
    } else {
        fprintf(stderr, "descriptor-misuse: unknown case %s\n", argv[1]);
        return 2;
    }
    printf("got through\n");
    return 0;
}
