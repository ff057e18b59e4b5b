// The smallest useful program: one line on the UART, exit status 0. Used
// for the start-to-exit time in bench/arm_baremetal.sh.
#include "lib/rt.h"

int main(uint64_t dtb) {
    (void)dtb;
    printf("hello from aarch64\n");
    return 0;
}
