#include "http/router.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace medai::http {
namespace {

constexpr std::size_t kMethodCount = static_cast<std::size_t>(Method::options) + 1;

enum class SegmentKind { literal, param, wildcard };

struct PatternSegment {
  SegmentKind kind;
  std::string_view text;  // literal text, or the parameter name without braces/star
};

[[noreturn]] void die(const std::string& pattern, const char* why) {
  // Routes are registered from code at start-up: a bad one is a bug, and
  // failing loudly beats serving a table where some routes are unreachable.
  std::fprintf(stderr, "medai: invalid route '%s': %s\n", pattern.c_str(), why);
  std::fflush(stderr);
  std::abort();
}

// "/" → {}, "/a/b" → {"a", "b"}, "/a/" → {"a", ""}. Caller guarantees a
// leading '/'. Views point into `path`.
template <typename Out>
void split_path(std::string_view path, Out& out) {
  if (path.size() <= 1) return;
  std::string_view rest = path.substr(1);
  for (;;) {
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) {
      out.push_back(rest);
      return;
    }
    out.push_back(rest.substr(0, slash));
    rest.remove_prefix(slash + 1);
  }
}

PatternSegment classify(const std::string& pattern, std::string_view seg) {
  if (seg.find_first_of("{}") == std::string_view::npos) return {SegmentKind::literal, seg};
  if (seg.size() < 3 || seg.front() != '{' || seg.back() != '}')
    die(pattern, "a parameter must be a whole segment: {name} or {name*}");
  std::string_view name = seg.substr(1, seg.size() - 2);
  SegmentKind kind = SegmentKind::param;
  if (name.back() == '*') {
    kind = SegmentKind::wildcard;
    name.remove_suffix(1);
  }
  if (name.empty() || name.find_first_of("{}*/") != std::string_view::npos)
    die(pattern, "bad parameter name");
  return {kind, name};
}

}  // namespace

namespace {

struct MatchState {
  const std::vector<std::string_view>& segments;
  std::vector<std::string_view>& captures;  // param value by segment index
  std::string_view path;
  std::size_t method;
  std::string_view rest;  // value of a {rest*} parameter
  bool other_method = false;
};

}  // namespace

struct Router::Node {
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> literals;
  std::unique_ptr<Node> param;
  std::array<const Route*, kMethodCount> exact{};     // routes ending at this node
  std::array<const Route*, kMethodCount> wildcard{};  // {rest*} routes hanging here

  const Route* match(std::size_t i, MatchState& st) const;

  static bool any(const std::array<const Route*, kMethodCount>& slots) {
    for (const Route* r : slots)
      if (r) return true;
    return false;
  }
  // An undocumented catch-all (the portal's GET /{path*}) must not turn
  // "no such path" into 405 for other methods: POST /api/v1/typo stays 404.
  static bool any_documented(const std::array<const Route*, kMethodCount>& slots) {
    for (const Route* r : slots)
      if (r && r->spec.documented) return true;
    return false;
  }
};

void Router::add(RouteSpec spec, Handler handler) {
  if (!root_) root_ = std::make_shared<Node>();
  const std::string& pattern = spec.pattern;
  if (pattern.empty() || pattern.front() != '/') die(pattern, "a pattern must start with '/'");
  if (!handler) die(pattern, "no handler");

  auto route = std::make_unique<Route>();
  std::vector<std::string_view> views;
  split_path(pattern, views);

  Node* node = root_.get();
  bool ends_in_wildcard = false;
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < views.size(); ++i) {
    const PatternSegment seg = classify(pattern, views[i]);
    route->segments.emplace_back(views[i]);
    if (seg.kind != SegmentKind::literal && !names.insert(seg.text).second)
      die(pattern, "parameter name used twice");
    switch (seg.kind) {
      case SegmentKind::literal: {
        Node* next = nullptr;
        for (auto& [text, child] : node->literals)
          if (text == seg.text) next = child.get();
        if (!next) {
          node->literals.emplace_back(std::string(seg.text), std::make_unique<Node>());
          next = node->literals.back().second.get();
        }
        node = next;
        break;
      }
      case SegmentKind::param:
        if (!node->param) node->param = std::make_unique<Node>();
        node = node->param.get();
        break;
      case SegmentKind::wildcard:
        if (i + 1 != views.size()) die(pattern, "{name*} must be the last segment");
        ends_in_wildcard = true;
        break;
    }
  }

  const auto m = static_cast<std::size_t>(spec.method);
  const Route*& slot = ends_in_wildcard ? node->wildcard[m] : node->exact[m];
  if (slot) {
    // Also catches /a/{x} vs /a/{y}: the same shape is ambiguous.
    std::fprintf(stderr, "medai: duplicate route %s %s (already registered as %s)\n",
                 std::string(method_name(spec.method)).c_str(), pattern.c_str(),
                 slot->spec.pattern.c_str());
    std::fflush(stderr);
    std::abort();
  }
  route->spec = std::move(spec);
  route->handler = std::move(handler);
  route->index = routes_.size();
  slot = route.get();
  routes_.push_back(std::move(route));
}

// Depth-first in precedence order: literal child, then {param}, then
// {rest*}; backtracks when a branch has no route for the method, so
// GET /users/me can fall back to GET /users/{id} when only DELETE /users/me
// is literal.
const Route* Router::Node::match(std::size_t i, MatchState& st) const {
  const Node& node = *this;
  if (i == st.segments.size()) {
    if (const Route* r = node.exact[st.method]) return r;
    if (any(node.exact)) st.other_method = true;
  } else {
    const std::string_view seg = st.segments[i];
    for (const auto& [text, child] : node.literals) {
      if (text == seg) {
        if (const Route* r = child->match(i + 1, st)) return r;
        break;
      }
    }
    if (node.param && !seg.empty()) {
      st.captures[i] = seg;
      if (const Route* r = node.param->match(i + 1, st)) return r;
    }
  }
  if (const Route* r = node.wildcard[st.method]) {
    st.rest = i == st.segments.size()
                  ? std::string_view()
                  : st.path.substr(static_cast<std::size_t>(st.segments[i].data() - st.path.data()));
    return r;
  }
  if (any_documented(node.wildcard)) st.other_method = true;
  return nullptr;
}

Match Router::match(Method method, std::string_view path,
                    std::unordered_map<std::string, std::string>& params) const {
  params.clear();
  Match result;
  if (!root_ || path.empty() || path.front() != '/') return result;

  // Scratch reused per thread: no allocation once warmed up.
  thread_local std::vector<std::string_view> segments;
  thread_local std::vector<std::string_view> captures;
  segments.clear();
  split_path(path, segments);
  captures.assign(segments.size(), std::string_view());

  MatchState st{segments, captures, path, static_cast<std::size_t>(method), {}, false};
  const Route* route = root_->match(0, st);
  if (!route) {
    result.path_matched_other_method = st.other_method;
    return result;
  }
  for (std::size_t j = 0; j < route->segments.size(); ++j) {
    const std::string& seg = route->segments[j];
    if (seg.empty() || seg.front() != '{') continue;
    if (seg[seg.size() - 2] == '*') {
      params.emplace(seg.substr(1, seg.size() - 3), std::string(st.rest));
    } else {
      params.emplace(seg.substr(1, seg.size() - 2), std::string(captures[j]));
    }
  }
  result.route = route;
  return result;
}

}  // namespace medai::http
