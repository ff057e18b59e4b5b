/* A tiny "Linux" for the 64-bit boot protocol: mkbzimage.py puts a setup
 * header in front of this code (loaded at 1 MiB). The boot loader enters
 * startup_64 at load address + 0x200 in long mode with RSI = zero page. */
    .section .text.head, "ax"
    .code32
startup_32:
    hlt
    jmp startup_32
    .org 0x200
    .code64
    .globl startup_64
startup_64:
    cld
    mov %rsi, %r12
    mov %cs, %r13
    lea __bss_start(%rip), %rdi
    lea _end(%rip), %rcx
    sub %rdi, %rcx
    xor %eax, %eax
    rep stosb
    mov $0x90000, %rsp
    mov %r12, %rdi
    mov %r13, %rsi
    call bz_main
1:  cli
    hlt
    jmp 1b
