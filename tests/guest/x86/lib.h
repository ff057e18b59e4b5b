/* Freestanding helpers for the x86 bare-metal test guests (32- and 64-bit). */
#pragma once
#include <stdint.h>
#include <stddef.h>

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t mmio_read32(uintptr_t a) { return *(volatile uint32_t*)a; }
static inline void mmio_write32(uintptr_t a, uint32_t v) { *(volatile uint32_t*)a = v; }
static inline void cpu_relax(void) { __asm__ volatile("pause"); }
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }

void serial_init(void);
void putc_(char c);
void puts_(const char* s);
void printf_(const char* fmt, ...);
int getc_timeout(unsigned long spins);  /* -1 on timeout */
void debug_exit(uint32_t v) __attribute__((noreturn));

size_t strlen_(const char* s);
int strncmp_(const char* a, const char* b, size_t n);
const char* strstr_(const char* h, const char* n);
void* memcpy(void* d, const void* s, size_t n);
void* memset(void* d, int c, size_t n);

/* fw_cfg through the x86 ports */
void fw_cfg_select(uint16_t key);
void fw_cfg_read(void* buf, uint32_t len);
int fw_cfg_find_file(const char* name, uint16_t* key, uint32_t* size);
int fw_cfg_dma_read(uint16_t key, void* buf, uint32_t len);

/* ACPI */
const uint8_t* acpi_find_rsdp(void);
const uint8_t* acpi_find_table(const char* sig);
