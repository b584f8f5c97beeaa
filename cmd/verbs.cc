#include "cmd/verbs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/codec.h"
#include "api/scheme.h"
#include "cmd/printers.h"

namespace lpv::cmd {

namespace {

namespace fs = std::filesystem;
using api::Json;
using api::KindInfo;

constexpr char kLastApplied[] = "kubectl.kubernetes.io/last-applied-configuration";

int Fail(Streams s, const Status& st) {
  s.err << st.KubectlString() << "\n";
  return 1;
}

int FailMsg(Streams s, const std::string& msg) {
  s.err << "error: " << msg << "\n";
  return 1;
}

// kubectl's "resource/name" spelling: persistentvolume/x, storageclass.storage.k8s.io/x.
std::string TypedName(const KindInfo& kind, const std::string& name) {
  return kind.singular + (kind.group.empty() ? "" : "." + kind.group) + "/" + name;
}

const KindInfo* ResolveKind(const std::string& name, Streams s) {
  const KindInfo* kind = api::LookupKind(name);
  if (kind == nullptr) {
    s.err << "error: the server doesn't have a resource type \"" << name << "\"\n";
  }
  return kind;
}

std::string NamespaceFor(const KindInfo& kind, const std::string& ns) {
  return kind.namespaced ? (ns.empty() ? "default" : ns) : "";
}

Result<std::string> ReadSource(const std::string& path, std::istream& in) {
  if (path == "-") {
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::ifstream f(path);
  if (!f) {
    return Status::BadRequest("the path \"" + path + "\" does not exist");
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Expands directories into their manifest files, sorted, as kubectl -f DIR does.
Result<std::vector<std::string>> ExpandFiles(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (in != "-" && fs::is_directory(in, ec)) {
      std::vector<std::string> files;
      for (const auto& e : fs::directory_iterator(in, ec)) {
        auto ext = e.path().extension().string();
        if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) {
          files.push_back(e.path().string());
        }
      }
      std::sort(files.begin(), files.end());
      out.insert(out.end(), files.begin(), files.end());
    } else if (in != "-" && !fs::exists(in, ec)) {
      return Status::BadRequest("the path \"" + in + "\" does not exist");
    } else {
      out.push_back(in);
    }
  }
  return out;
}

struct LoadedObject {
  std::unique_ptr<google::protobuf::Message> object;
  std::string source;
};

// Decodes every file first, so a bad document anywhere changes nothing.
Result<std::vector<LoadedObject>> LoadAll(const std::vector<std::string>& files,
                                          const std::string& ns, Streams s,
                                          bool validate = true) {
  auto paths = ExpandFiles(files);
  if (!paths.ok()) return paths.status();
  if (paths->empty()) return Status::BadRequest("no objects passed to apply");
  std::vector<LoadedObject> out;
  for (const auto& path : *paths) {
    auto text = ReadSource(path, s.in);
    if (!text.ok()) return text.status();
    std::vector<std::string> warnings;
    std::string source = path == "-" ? "STDIN" : path;
    auto objs = api::DecodeManifests(*text, source, &warnings, validate);
    if (!objs.ok()) return objs.status();
    for (const auto& w : warnings) s.err << "Warning: " << w << " in " << source << "\n";
    for (auto& d : *objs) {
      const KindInfo* kind = api::KindOf(*d.object);
      auto* meta = api::MutableMeta(d.object.get());
      if (kind->namespaced) {
        if (!ns.empty() && !meta->namespace_().empty() && meta->namespace_() != ns) {
          return Status::BadRequest("the namespace from the provided object \"" +
                                    meta->namespace_() +
                                    "\" does not match the namespace \"" + ns +
                                    "\". You must pass '--namespace=" + meta->namespace_() +
                                    "' to perform this operation.");
        }
        if (meta->namespace_().empty()) meta->set_namespace_(ns.empty() ? "default" : ns);
      }
      if (meta->name().empty() && meta->generate_name().empty()) {
        return Status::BadRequest("error when retrieving current configuration of resource "
                                  "from \"" + source + "\": resource name may not be empty");
      }
      out.push_back({std::move(d.object), source});
    }
  }
  return out;
}

// Removes from `live` what the last applied configuration had and the new one dropped.
void PruneRemoved(Json* live, const Json& last, const Json& desired) {
  if (!live->is_object() || !last.is_object()) return;
  for (auto it = last.begin(); it != last.end(); ++it) {
    if (!desired.is_object() || !desired.contains(it.key())) {
      live->erase(it.key());
    } else if (it.value().is_object() && live->contains(it.key())) {
      PruneRemoved(&(*live)[it.key()], it.value(), desired[it.key()]);
    }
  }
}

// Objects merge key by key; everything else is replaced by what the manifest says.
void MergeInto(Json* live, const Json& desired) {
  if (!live->is_object() || !desired.is_object()) {
    *live = desired;
    return;
  }
  for (auto it = desired.begin(); it != desired.end(); ++it) {
    if (it.value().is_object() && live->contains(it.key()) && (*live)[it.key()].is_object()) {
      MergeInto(&(*live)[it.key()], it.value());
    } else {
      (*live)[it.key()] = it.value();
    }
  }
}

void PrintObjects(const std::string& output, const KindInfo& kind,
                  const std::vector<const google::protobuf::Message*>& objs,
                  const std::string& rv, bool single, const PrintOptions& po, Streams s,
                  bool headers = true) {
  if (output == "json") {
    s.out << (single ? api::ToJsonString(*objs[0]) : api::ListToJsonString(objs, rv)) << "\n";
  } else if (output == "yaml") {
    s.out << (single ? api::ToYamlString(*objs[0]) : api::ListToYamlString(objs, rv));
  } else if (output == "name") {
    for (const auto* o : objs) s.out << TypedName(kind, api::Meta(*o).name()) << "\n";
  } else {
    PrintOptions p = po;
    p.no_headers = po.no_headers || !headers;
    s.out << PrintTable(kind.kind, objs, p);
  }
  s.out.flush();
}

}  // namespace

int Apply(client::Client& c, const ApplyOptions& o, Streams s) {
  // kubectl's GetValidationDirective: the flag was a boolean before it took these names.
  if (o.validate != "strict" && o.validate != "true" && o.validate != "warn" &&
      o.validate != "ignore" && o.validate != "false") {
    return FailMsg(s, "invalid - validate option \"" + o.validate +
                          "\"; must be one of: strict (or true), warn, ignore (or false)");
  }
  const bool validate = o.validate != "ignore" && o.validate != "false";
  auto objs = LoadAll(o.files, o.ns, s, validate);
  if (!objs.ok()) return FailMsg(s, objs.status().message());
  int rc = 0;
  for (auto& lo : *objs) {
    const KindInfo* kind = api::KindOf(*lo.object);
    auto* meta = api::MutableMeta(lo.object.get());
    Json desired = api::ToJson(*lo.object);
    std::string suffix = o.dry_run ? " (dry run)" : "";
    auto live = meta->name().empty() ? Result<client::ObjectPtr>(Status::NotFound("", ""))
                                     : c.Get(*kind, meta->namespace_(), meta->name());
    if (!live.ok() && !live.status().IsNotFound()) {
      rc = Fail(s, live.status());
      continue;
    }
    if (!live.ok()) {
      (*meta->mutable_annotations())[kLastApplied] = desired.dump() + "\n";
      if (o.dry_run) {
        s.out << TypedName(*kind, meta->name()) << " created" << suffix << "\n";
        continue;
      }
      auto created = c.Create(*lo.object);
      if (!created.ok() && created.status().IsInvalid()) {
        rc = Fail(s, created.status());
        continue;
      }
      if (!created.ok()) {
        s.err << created.status().KubectlPrefix() << "error when creating \"" << lo.source
              << "\": "
              << created.status().message() << "\n";
        rc = 1;
        continue;
      }
      s.out << TypedName(*kind, api::Meta(**created).name()) << " created" << suffix << "\n";
      continue;
    }
    // Three-way merge, as kubectl apply: what the manifest dropped since the last apply is
    // removed, what it says is set, and what others set (controllers' fields) is kept.
    bool done = false;
    for (int attempt = 0; attempt < 5 && !done; ++attempt) {
      if (attempt > 0) live = c.Get(*kind, meta->namespace_(), meta->name());
      if (!live.ok()) {
        rc = Fail(s, live.status());
        break;
      }
      Json merged = api::ToJson(**live);
      const auto& annotations = api::Meta(**live).annotations();
      Json last = Json::object();
      if (auto it = annotations.find(kLastApplied); it != annotations.end()) {
        try {
          last = Json::parse(it->second);
        } catch (...) {
          last = Json::object();
        }
      }
      PruneRemoved(&merged, last, desired);
      MergeInto(&merged, desired);
      merged["metadata"]["annotations"][kLastApplied] = desired.dump() + "\n";
      merged["metadata"]["resourceVersion"] = api::Meta(**live).resource_version();
      auto updated_obj = kind->New();
      Status ds = api::FromJson(merged, updated_obj.get(), nullptr);
      if (!ds.ok()) {
        rc = FailMsg(s, ds.message());
        break;
      }
      if (o.dry_run) {
        s.out << TypedName(*kind, meta->name()) << " configured" << suffix << "\n";
        done = true;
        break;
      }
      auto updated = c.Update(*updated_obj);
      if (!updated.ok() && updated.status().IsConflict()) continue;
      if (!updated.ok() && updated.status().IsInvalid()) {
        rc = Fail(s, updated.status());
        break;
      }
      if (!updated.ok()) {
        s.err << updated.status().KubectlPrefix() << "error when applying patch to \""
              << lo.source << "\": "
              << updated.status().message() << "\n";
        rc = 1;
        break;
      }
      bool same = api::Meta(**updated).resource_version() == api::Meta(**live).resource_version();
      s.out << TypedName(*kind, meta->name()) << (same ? " unchanged" : " configured") << "\n";
      done = true;
    }
  }
  return rc;
}

int Get(client::Client& c, const GetOptions& o, Streams s) {
  const KindInfo* kind = ResolveKind(o.kind, s);
  if (!kind) return 1;
  std::string ns = o.all_namespaces ? "" : NamespaceFor(*kind, o.ns);
  PrintOptions po;
  po.wide = o.output == "wide";
  po.with_namespace = o.all_namespaces && kind->namespaced;
  po.no_headers = o.no_headers;
  po.now = std::chrono::system_clock::now();
  std::vector<client::ObjectPtr> items;
  std::string rv;
  int rc = 0;
  if (!o.names.empty()) {
    for (const auto& name : o.names) {
      auto obj = c.Get(*kind, ns, name);
      if (!obj.ok()) {
        rc = Fail(s, obj.status());
        continue;
      }
      items.push_back(std::move(*obj));
    }
  } else {
    auto list = c.List(*kind, ns, {o.selector, o.field_selector, ""});
    if (!list.ok()) return Fail(s, list.status());
    items = std::move(list->items);
    rv = list->resource_version;
  }
  std::vector<const google::protobuf::Message*> ptrs;
  for (const auto& i : items) ptrs.push_back(i.get());
  if (ptrs.empty() && o.names.empty() && o.output != "json" && o.output != "yaml") {
    if (!o.watch) {
      if (kind->namespaced && !o.all_namespaces) {
        s.err << "No resources found in " << ns << " namespace.\n";
      } else {
        s.err << "No resources found\n";
      }
    }
  } else if (!ptrs.empty() || o.names.empty()) {
    bool single = o.names.size() == 1 && ptrs.size() == 1;
    PrintObjects(o.output, *kind, ptrs, rv, single, po, s);
  }
  if (!o.watch) return rc;

  // -w: the rows of what changes from here on, as kubectl get -w.
  client::ListOptions lo{o.selector, o.field_selector, rv.empty() ? "" : rv};
  if (!o.names.empty()) {
    lo.field_selector = "metadata.name=" + o.names[0];
    lo.resource_version = items.empty() ? "" : api::Meta(*items[0]).resource_version();
  }
  auto w = c.Watch(*kind, ns, lo);
  if (!w.ok()) return Fail(s, w.status());
  int seen = 0;
  for (;;) {
    client::WatchEvent ev;
    if (!(*w)->Next(&ev, std::chrono::milliseconds(500))) {
      if ((*w)->done()) return (*w)->status().ok() ? rc : Fail(s, (*w)->status());
      continue;
    }
    po.now = std::chrono::system_clock::now();
    PrintObjects(o.output, *kind, {ev.object.get()}, "", true, po, s, /*headers=*/false);
    if (o.watch_events > 0 && ++seen >= o.watch_events) return rc;
  }
}

namespace {

std::vector<api::Event> EventsFor(client::Client& c, const google::protobuf::Message& obj) {
  const auto& meta = api::Meta(obj);
  const KindInfo* kind = api::KindOf(obj);
  std::string fs = "involvedObject.name=" + meta.name() + ",involvedObject.kind=" + kind->kind;
  if (!meta.uid().empty()) fs += ",involvedObject.uid=" + meta.uid();
  std::vector<api::Event> out;
  auto list = c.List(*api::KindOf("Event"), kind->namespaced ? meta.namespace_() : "",
                     {"", fs, ""});
  if (!list.ok()) return out;
  for (auto& e : list->items) out.push_back(static_cast<api::Event&>(*e));
  return out;
}

}  // namespace

int Describe(client::Client& c, const DescribeOptions& o, Streams s) {
  const KindInfo* kind = ResolveKind(o.kind, s);
  if (!kind) return 1;
  std::string ns = NamespaceFor(*kind, o.ns);
  std::vector<client::ObjectPtr> objs;
  int rc = 0;
  if (o.names.empty()) {
    auto list = c.List(*kind, ns, {o.selector, "", ""});
    if (!list.ok()) return Fail(s, list.status());
    objs = std::move(list->items);
    if (objs.empty()) {
      s.err << (kind->namespaced ? "No resources found in " + ns + " namespace.\n"
                                 : std::string("No resources found\n"));
    }
  }
  for (const auto& name : o.names) {
    auto obj = c.Get(*kind, ns, name);
    if (!obj.ok()) {
      rc = Fail(s, obj.status());
      continue;
    }
    objs.push_back(std::move(*obj));
  }
  bool first = true;
  for (const auto& obj : objs) {
    DescribeContext ctx;
    if (kind->kind == "PersistentVolumeClaim" || kind->kind == "StatefulSet") {
      auto pods = c.List(*api::KindOf("Pod"), api::Meta(*obj).namespace_(), {});
      if (pods.ok()) {
        for (auto& p : pods->items) ctx.pods.push_back(static_cast<api::Pod&>(*p));
      }
    }
    if (!first) s.out << "\n\n";
    first = false;
    s.out << cmd::Describe(*obj, EventsFor(c, *obj), std::chrono::system_clock::now(), ctx);
  }
  return rc;
}

// kubectl's GetCascadingStrategy: the propagation policy --cascade asks for, or "" with the
// error printed.
std::string CascadingStrategy(const std::string& cascade, Streams s) {
  if (cascade == "background") return apiserver::kDeletePropagationBackground;
  if (cascade == "orphan") return apiserver::kDeletePropagationOrphan;
  if (cascade == "foreground") return apiserver::kDeletePropagationForeground;
  // Go's strconv.ParseBool spellings, which kubectl accepted before the names.
  static const char* kTrue[] = {"1", "t", "T", "TRUE", "true", "True"};
  static const char* kFalse[] = {"0", "f", "F", "FALSE", "false", "False"};
  for (const char* t : kTrue) {
    if (cascade == t) {
      s.err << "warning: --cascade=" << cascade
            << " is deprecated (boolean value) and can be replaced with --cascade=background.\n";
      return apiserver::kDeletePropagationBackground;
    }
  }
  for (const char* f : kFalse) {
    if (cascade == f) {
      s.err << "warning: --cascade=" << cascade
            << " is deprecated (boolean value) and can be replaced with --cascade=orphan.\n";
      return apiserver::kDeletePropagationOrphan;
    }
  }
  FailMsg(s, "invalid cascade value (" + cascade +
                 "). Must be \"background\", \"foreground\", or \"orphan\"");
  return "";
}

int Delete(client::Client& c, const DeleteOptions& o, Streams s) {
  const std::string propagation = CascadingStrategy(o.cascade, s);
  if (propagation.empty()) return 1;
  struct Target {
    const KindInfo* kind;
    std::string ns, name;
  };
  std::vector<Target> targets;
  if (!o.files.empty()) {
    auto objs = LoadAll(o.files, o.ns, s);
    if (!objs.ok()) return FailMsg(s, objs.status().message());
    for (auto& lo : *objs) {
      const auto& meta = api::Meta(*lo.object);
      targets.push_back({api::KindOf(*lo.object), meta.namespace_(), meta.name()});
    }
  } else {
    const KindInfo* kind = ResolveKind(o.kind, s);
    if (!kind) return 1;
    if (o.names.empty()) {
      return FailMsg(s, "resource(s) were provided, but no name was specified");
    }
    for (const auto& n : o.names) targets.push_back({kind, NamespaceFor(*kind, o.ns), n});
  }
  int rc = 0;
  for (const auto& t : targets) {
    apiserver::DeleteOptions d;
    d.grace_period_seconds = o.grace_period;
    d.propagation_policy = propagation;
    auto r = c.Delete(*t.kind, t.ns, t.name, d);
    if (!r.ok()) {
      if (r.status().IsNotFound() && o.ignore_not_found) continue;
      rc = Fail(s, r.status());
      continue;
    }
    s.out << t.kind->singular << (t.kind->group.empty() ? "" : "." + t.kind->group) << " \""
          << t.name << "\" deleted\n";
    s.out.flush();
    if (!o.wait) continue;
    // As kubectl --wait: block until the object is gone (finalizers may hold it).
    const std::string uid = api::Meta(**r).uid();
    auto deadline = std::chrono::steady_clock::now() + o.timeout;
    for (;;) {
      auto cur = c.Get(*t.kind, t.ns, t.name);
      if (!cur.ok() || api::Meta(**cur).uid() != uid) break;
      auto w = c.Watch(*t.kind, t.ns,
                       {"", "metadata.name=" + t.name, api::Meta(**cur).resource_version()});
      if (!w.ok()) break;
      bool gone = false;
      while (!gone) {
        client::WatchEvent ev;
        if ((*w)->Next(&ev, std::chrono::milliseconds(200))) {
          gone = ev.type == "DELETED";
        } else if ((*w)->done()) {
          break;
        }
        if (o.timeout.count() > 0 && std::chrono::steady_clock::now() > deadline) {
          s.err << "error: timed out waiting for the condition on " << t.kind->resource << "/"
                << t.name << "\n";
          return 1;
        }
      }
      if (gone) break;
    }
  }
  return rc;
}

int Events(client::Client& c, const EventsOptions& o, Streams s) {
  const KindInfo* ev_kind = api::KindOf("Event");
  std::string fs;
  if (!o.for_object.empty()) {
    auto slash = o.for_object.find('/');
    if (slash == std::string::npos) return FailMsg(s, "--for must be in resource/name form");
    const KindInfo* k = ResolveKind(o.for_object.substr(0, slash), s);
    if (!k) return 1;
    fs = "involvedObject.kind=" + k->kind + ",involvedObject.name=" + o.for_object.substr(slash + 1);
  }
  GetOptions g;
  g.kind = "events";
  g.ns = o.ns;
  g.all_namespaces = o.all_namespaces;
  g.field_selector = fs;
  g.output = o.output;
  g.watch = o.watch;
  g.watch_events = o.watch_events;
  // kubectl events lists oldest first; the store lists by name, so sort here.
  if (!o.watch && (o.output.empty() || o.output == "wide")) {
    auto list = c.List(*ev_kind, o.all_namespaces ? "" : o.ns, {"", fs, ""});
    if (!list.ok()) return Fail(s, list.status());
    if (list->items.empty()) {
      s.err << (o.all_namespaces ? std::string("No events found.\n")
                                 : "No events found in " + o.ns + " namespace.\n");
      return 0;
    }
    std::vector<const google::protobuf::Message*> ptrs;
    for (const auto& i : list->items) ptrs.push_back(i.get());
    std::stable_sort(ptrs.begin(), ptrs.end(), [](auto* a, auto* b) {
      const auto& ea = static_cast<const api::Event&>(*a);
      const auto& eb = static_cast<const api::Event&>(*b);
      return ea.last_timestamp() < eb.last_timestamp();
    });
    PrintOptions po;
    po.with_namespace = o.all_namespaces;
    po.now = std::chrono::system_clock::now();
    s.out << PrintTable("Event", ptrs, po);
    return 0;
  }
  return Get(c, g, s);
}

}  // namespace lpv::cmd
