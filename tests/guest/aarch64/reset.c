// PSCI SYSTEM_RESET: the first run leaves a marker in RAM above the image
// (RAM survives a reset, the image is reloaded) and resets; the second run
// sees the marker and exits.
#include "lib/rt.h"

#define MARKER (*(volatile uint64_t*)0x40800000ul)

int main(uint64_t dtb) {
    if (MARKER != 0x5245534554ull) {  // "RESET"
        printf("first boot\n");
        MARKER = 0x5245534554ull;
        __asm__ volatile("dsb sy");
        psci(0x84000009, 0, 0, 0);  // SYSTEM_RESET
        printf("FAIL SYSTEM_RESET returned\n");
        return 1;
    }
    printf("second boot\n");
    MARKER = 0;
    CHECK("came back after SYSTEM_RESET", 1, 1);
    return 0;
}
