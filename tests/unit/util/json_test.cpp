#include "util/json.h"

#include <catch2/catch.hpp>

using namespace emu;

TEST_CASE("json: round trip of every type", "[json]") {
    std::string err;
    auto v = Json::parse(R"({"a": [1, -2, 3.5, true, false, null], "s": "x\"y\\z\n\u00e9"})", &err);
    REQUIRE(v);
    CHECK(v->find("a")->as_array().size() == 6);
    CHECK(v->find("a")->as_array()[1].as_int() == -2);
    CHECK(v->find("a")->as_array()[2].as_double() == 3.5);
    CHECK(v->find("s")->as_string() == "x\"y\\z\n\xc3\xa9");
    auto again = Json::parse(v->dump(), &err);
    REQUIRE(again);
    CHECK(again->dump() == v->dump());
}

TEST_CASE("json: hostile inputs are rejected with a position", "[json]") {
    std::string err;
    CHECK_FALSE(Json::parse("", &err));
    CHECK_FALSE(Json::parse("{", &err));
    CHECK_FALSE(Json::parse("{\"a\" 1}", &err));
    CHECK_FALSE(Json::parse("[1,]", &err));
    CHECK_FALSE(Json::parse("\"unterminated", &err));
    CHECK_FALSE(Json::parse("\"bad \\q escape\"", &err));
    CHECK_FALSE(Json::parse("\"\\ud800\\u0041\"", &err));
    CHECK_FALSE(Json::parse("01x", &err));
    CHECK_FALSE(Json::parse("{\"a\":1,\"a\":2}", &err));
    CHECK(err.find("duplicate") != std::string::npos);
    CHECK_FALSE(Json::parse("{} {}", &err));
    CHECK(err.find("offset") != std::string::npos);
    std::string deep(100000, '[');
    CHECK_FALSE(Json::parse(deep, &err));  // no stack overflow
    CHECK(err.find("deep") != std::string::npos);
}

TEST_CASE("json: doubles stay doubles through a round trip", "[json]") {
    std::string err;
    for (const char* t : {"-0e1", "1e2", "2.0", "-0.0", "1.5"}) {
        auto v = Json::parse(t, &err);
        REQUIRE(v);
        auto again = Json::parse(v->dump(), &err);
        REQUIRE(again);
        CHECK_FALSE(again->is_int());
        CHECK(again->dump() == v->dump());
    }
    CHECK(Json::parse("-0", &err)->is_int());
}

TEST_CASE("json: pretty output is stable", "[json]") {
    Json o = Json::object();
    o.set("b", 1).set("a", Json::array());
    CHECK(o.dump_pretty() == "{\n    \"b\": 1,\n    \"a\": []\n}");
    CHECK(o.dump() == "{\"b\": 1, \"a\": []}");
}
