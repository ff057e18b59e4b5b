/* Multiboot v1 entry: 32-bit protected mode, EAX = magic, EBX = info. */
    .section .multiboot, "a"
    .p2align 2
    .long 0x1badb002
    .long 0x00000003                 /* page-align modules, memory info */
    .long -(0x1badb002 + 0x00000003)

    .section .text.boot, "ax"
    .code32
    .globl _start
_start:
    cli
    mov $stack_top, %esp
    push %ebx
    push %eax
    call main32
1:  cli
    hlt
    jmp 1b

    .section .bss
    .p2align 4
    .skip 16384
stack_top:
