#include "util/keyval.h"

#include <catch2/catch.hpp>

using namespace emu;

TEST_CASE("keyval: implied key, pairs and flags", "[keyval]") {
    std::string err;
    auto kv = KeyValueList::parse("virt,gic-version=3,secure", "type", &err);
    REQUIRE(kv);
    CHECK(kv->get("type") == "virt");
    CHECK(kv->get("gic-version") == "3");
    CHECK(kv->get("secure") == "on");
    CHECK_FALSE(kv->has("nothing"));
}

TEST_CASE("keyval: doubled comma is a literal comma", "[keyval]") {
    std::string err;
    auto kv = KeyValueList::parse("file=a,,b.img,if=virtio", "", &err);
    REQUIRE(kv);
    CHECK(kv->get("file") == "a,b.img");
    CHECK(kv->get("if") == "virtio");
}

TEST_CASE("keyval: the last value wins", "[keyval]") {
    std::string err;
    auto kv = KeyValueList::parse("id=a,id=b", "", &err);
    REQUIRE(kv);
    CHECK(kv->get("id") == "b");
}

TEST_CASE("keyval: hostile inputs", "[keyval]") {
    std::string err;
    CHECK_FALSE(KeyValueList::parse("=x", "", &err));
    CHECK(err.find("name missing") != std::string::npos);
    auto trailing = KeyValueList::parse("a=1,,,", "", &err);
    REQUIRE(trailing);  // "1," then a harmless trailing comma
    CHECK(trailing->get("a") == "1,");
    CHECK_FALSE(KeyValueList::parse(",a=1", "", &err));
    CHECK_FALSE(KeyValueList::parse("a=1,,,,=2,=3", "", &err));
    auto kv = KeyValueList::parse("b=on,n=x,u=12z", "", &err);
    REQUIRE(kv);
    err.clear();
    CHECK(kv->get_bool("b", &err) == true);
    CHECK_FALSE(kv->get_bool("n", &err));
    CHECK(err.find("'n'") != std::string::npos);
    err.clear();
    CHECK_FALSE(kv->get_uint("u", &err));
    CHECK(err.find("'u'") != std::string::npos);
}

TEST_CASE("size parsing follows QEMU's suffixes", "[keyval]") {
    CHECK(parse_size("1G", 'M') == (1ull << 30));
    CHECK(parse_size("1g", 'M') == (1ull << 30));
    CHECK(parse_size("512", 'M') == (512ull << 20));
    CHECK(parse_size("512", 'B') == 512u);
    CHECK(parse_size("64k", 'B') == 65536u);
    CHECK(parse_size("1.5G", 'M') == (3ull << 29));
    CHECK(parse_size("2T", 'B') == (2ull << 40));
    CHECK(parse_size("0x1000", 'B') == 0x1000u);
    CHECK_FALSE(parse_size("banana", 'M'));
    CHECK_FALSE(parse_size("", 'M'));
    CHECK_FALSE(parse_size("-1", 'M'));
    CHECK_FALSE(parse_size("1GG", 'M'));
    CHECK_FALSE(parse_size("1Q", 'M'));
    CHECK_FALSE(parse_size("1.", 'M'));
    CHECK_FALSE(parse_size("16E", 'B'));  // 2^64: overflow
    CHECK_FALSE(parse_size("99999999999999999999", 'B'));
    CHECK_FALSE(parse_size("1.5", 'B'));
    CHECK(parse_uint("0x10") == 16u);
    CHECK_FALSE(parse_uint("18446744073709551616"));
    CHECK_FALSE(parse_uint("12a"));
}
