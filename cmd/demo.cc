#include "cmd/demo.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "api/pod_util.h"
#include "client/wait.h"
#include "cluster/cluster.h"
#include "cmd/article.h"
#include "cmd/verbs.h"
#include "kubelet-fake/fleet.h"

namespace lpv::cmd {

namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

bool PodReady(const api::Pod& p) { return api::IsPodRunningAndReady(p); }

bool Unschedulable(const api::Pod& p) {
  for (const auto& c : p.status().conditions()) {
    if (c.type() == "PodScheduled" && c.reason() == "Unschedulable") return true;
  }
  return false;
}

class Narrator {
 public:
  Narrator(cluster::Cluster* c, const DemoOptions& o, std::ostream& out, std::ostream& err)
      : c_(c), o_(o), out_(out), err_(err) {}

  void Step(const std::string& title, const std::string& why) {
    if (step_ > 0 && o_.pace_seconds > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(o_.pace_seconds));
    }
    ++step_;
    out_ << "\n" << step_ << ". " << title << "\n";
    std::string rule(title.size() + 3 + std::to_string(step_).size() - 1, '=');
    out_ << rule << "\n";
    if (!why.empty()) out_ << why << "\n";
  }
  void Say(const std::string& text) { out_ << text << "\n"; }

  // Shows `$ lpv ARGS` and its output, run against the embedded cluster.
  int Run(const std::vector<std::string>& args, const std::string& input = "") {
    out_ << "\n$ lpv";
    for (const auto& a : args) out_ << " " << a;
    out_ << "\n";
    std::istringstream in(input);
    Streams s{out_, out_, in};
    client::Client& cl = *c_->client();
    const std::string& verb = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (verb == "get") {
      GetOptions g;
      g.kind = rest[0];
      for (size_t i = 1; i < rest.size(); ++i) {
        if (rest[i] == "-o") {
          g.output = rest[++i];
        } else {
          g.names.push_back(rest[i]);
        }
      }
      return Get(cl, g, s);
    }
    if (verb == "describe") {
      DescribeOptions d;
      d.kind = rest[0];
      d.names = {rest[1]};
      return Describe(cl, d, s);
    }
    if (verb == "apply") {
      ApplyOptions a;
      a.files = {"-"};
      return Apply(cl, a, s);
    }
    if (verb == "delete") {
      DeleteOptions d;
      d.kind = rest[0];
      d.names = {rest[1]};
      d.ignore_not_found = true;  // the provisioner may have removed it first
      for (size_t i = 2; i < rest.size(); ++i) {
        if (rest[i] == "--wait=false") d.wait = false;
        if (rest[i] == "--grace-period") d.grace_period = std::stoll(rest[++i]);
      }
      return Delete(cl, d, s);
    }
    if (verb == "events") {
      EventsOptions e;
      if (rest.size() == 2 && rest[0] == "--for") e.for_object = rest[1];
      return Events(cl, e, s);
    }
    auto r = c_->Admin(verb, rest);
    if (!r.ok()) {
      out_ << r.status().KubectlString() << "\n";
      return 1;
    }
    out_ << *r;
    return 0;
  }

  template <class T>
  bool Wait(const std::string& ns, const std::string& name,
            const std::function<bool(const T&)>& pred, const std::string& what) {
    auto r = client::WaitFor<T>(*c_->client(), ns, name, pred, seconds(60));
    if (!r.ok()) err_ << "demo: gave up waiting for " << what << ": " << r.status().message() << "\n";
    return r.ok();
  }
  Result<api::Pod> Pod(const std::string& name) {
    return c_->client()->Get<api::Pod>("default", name);
  }

 private:
  cluster::Cluster* c_;
  const DemoOptions& o_;
  std::ostream& out_;
  std::ostream& err_;
  int step_ = 0;
};

}  // namespace

int Demo(const DemoOptions& options, std::ostream& out, std::ostream& err) {
  auto started = std::chrono::steady_clock::now();
  cluster::Options co;
  co.data_dir = options.keep_dir;
  co.listen = "";
  co.start_controllers = true;
  // Node failure shows in a few hundred milliseconds instead of Kubernetes' 40 s: the
  // kubelets renew their Leases (microsecond renewTime) every 50 ms, and a node unheard of
  // for 400 ms is NotReady.
  co.node_lease_renew_interval = std::chrono::milliseconds(50);
  co.node_monitor_grace_period = std::chrono::milliseconds(400);
  // A pod that found no node is retried 100 ms later, not Kubernetes' 1 s, so that the
  // pod whose node comes back runs at once.
  co.pod_initial_backoff = std::chrono::milliseconds(100);
  // A throwaway cluster has nothing to keep across a crash: skip the fsyncs. Kept, it syncs.
  co.sync = !options.keep_dir.empty();
  auto c = cluster::Cluster::Start(co);
  if (!c.ok()) {
    err << "error: " << c.status().message() << "\n";
    return 1;
  }
  Narrator n(c->get(), options, out, err);
  out << "lpv demo: Kubernetes Local Persistent Volumes, step by step\n"
      << "(a fresh cluster in " << (*c)->data_dir() << ")\n";

  n.Step("Three nodes, each with one local disk",
         "Each node has a 368Gi disk mounted at /mnt/disks/vol1. The local static provisioner\n"
         "on each node found it and made one PersistentVolume for it, tied to that node by\n"
         "its node affinity.");
  client::WaitForList(*(*c)->client(), *api::KindOf("PersistentVolume"), "",
                      [](const std::vector<client::ObjectPtr>& items) {
                        int ok = 0;
                        for (const auto& i : items) {
                          ok += static_cast<const api::PersistentVolume&>(*i).status().phase() ==
                                "Available";
                        }
                        return ok == 3;
                      },
                      seconds(60));
  n.Run({"get", "nodes"});
  n.Run({"get", "pv"});
  auto pvs = (*c)->client()->List(*api::KindOf("PersistentVolume"), "");
  if (pvs.ok() && !pvs->items.empty()) {
    n.Run({"describe", "pv", api::Meta(*pvs->items[0]).name()});
  }

  n.Step("A StorageClass that waits for the first consumer",
         "volumeBindingMode: WaitForFirstConsumer tells the PV controller not to bind a claim\n"
         "of this class until a pod using it is scheduled: only then is it known which node,\n"
         "and so which local disk, can serve it.");
  n.Say("\n" + std::string(kArticleStorageClass));
  n.Run({"apply", "-f", "storageclass.yaml"}, kArticleStorageClass);

  n.Step("A StatefulSet asks for one 368Gi claim per pod",
         "The StatefulSet controller creates claim local-vol-local-test-0, then pod\n"
         "local-test-0. The PV controller sees the claim's class delays binding and leaves it\n"
         "Pending (event WaitForFirstConsumer). The scheduler finds a node for the pod whose\n"
         "disk fits (FindPodVolumes), assumes the pair (AssumePodVolumes), binds volume and\n"
         "claim (BindPodVolumes), then binds the pod to the node. The kubelet mounts the disk\n"
         "and runs the pod; only then is local-test-1 created (OrderedReady), and so on.");
  n.Run({"apply", "-f", "statefulset.yaml"}, kArticleStatefulSet);
  for (const char* p : {"local-test-0", "local-test-1", "local-test-2"}) {
    if (!n.Wait<api::Pod>("default", p, PodReady, std::string("pod ") + p)) return 1;
  }
  n.Run({"get", "pods", "-o", "wide"});
  n.Run({"get", "pvc"});
  n.Run({"get", "pv"});
  n.Run({"events", "--for", "pvc/local-vol-local-test-0"});
  n.Run({"events", "--for", "pod/local-test-0"});

  n.Step("Why did local-test-0 land where it did?",
         "The scheduler remembers its last attempts; explain shows them node by node.");
  n.Run({"explain", "pod", "local-test-0"});

  auto pod1 = n.Pod("local-test-1");
  if (!pod1.ok()) return 1;
  std::string node1 = pod1->spec().node_name();
  n.Step("Delete local-test-1: it comes back on the same node, to the same data",
         "The StatefulSet recreates the pod with the same name and the same claim. The claim\n"
         "is bound to a volume on " + node1 + ", so the scheduler can only put the pod there.\n"
         "(With a hostPath volume the pod could land on another node and not find its data.)");
  n.Run({"delete", "pod", "local-test-1"});
  std::string old_uid = pod1->metadata().uid();
  if (!n.Wait<api::Pod>("default", "local-test-1",
                        [&](const api::Pod& p) { return p.metadata().uid() != old_uid && PodReady(p); },
                        "local-test-1 to return")) {
    return 1;
  }
  n.Run({"get", "pods", "-o", "wide"});

  auto pod2 = n.Pod("local-test-2");
  if (!pod2.ok()) return 1;
  std::string node2 = pod2->spec().node_name();
  n.Step("The node of local-test-2 fails",
         "Its kubelet stops posting status; the node lifecycle controller marks it NotReady\n"
         "and taints it. The pod is deleted (at once: no kubelet is there to confirm), the\n"
         "StatefulSet recreates it, and it stays Pending: its volume lives on " + node2 + "\n"
         "and no other node can serve it.");
  n.Run({"node", "stop", node2});
  n.Wait<api::Node>("", node2,
                    [](const api::Node& no) {
                      for (const auto& cnd : no.status().conditions()) {
                        if (cnd.type() == "Ready") return cnd.status() != "True";
                      }
                      return false;
                    },
                    "the node to be NotReady");
  n.Run({"get", "nodes"});
  n.Run({"delete", "pod", "local-test-2", "--grace-period", "0"});
  n.Wait<api::Pod>("default", "local-test-2", Unschedulable, "local-test-2 to be Pending");
  n.Run({"get", "pods"});
  n.Run({"events", "--for", "pod/local-test-2"});
  n.Say("\nWhen the node comes back, the pod runs there again:");
  n.Run({"node", "start", node2});
  if (!n.Wait<api::Pod>("default", "local-test-2", PodReady, "local-test-2 to run")) return 1;
  n.Run({"get", "pods", "-o", "wide"});

  n.Step("Delete in the right order: pod, disk, claim, volume",
         "Protection finalizers keep a claim while a pod uses it, and a volume while it is\n"
         "bound: deleting them first leaves them Terminating. Here the StatefulSet goes first\n"
         "(or it would recreate its pods), then for local-test-0 the disk is taken out of the\n"
         "node, then the claim, then the volume.");
  auto claim0 = (*c)->client()->Get<api::PersistentVolumeClaim>("default", "local-vol-local-test-0");
  if (!claim0.ok()) return 1;
  std::string volume = claim0->spec().volume_name();
  auto pv0 = (*c)->client()->Get<api::PersistentVolume>("", volume);
  if (!pv0.ok()) return 1;
  std::string disk_node = pv0->spec().node_affinity().required().node_selector_terms(0)
                              .match_expressions(0).values(0);
  n.Run({"delete", "sts", "local-test"});
  for (const char* p : {"local-test-0", "local-test-1", "local-test-2"}) {
    client::WaitForDeletion(*(*c)->client(), *api::KindOf("Pod"), "default", p, seconds(60));
  }
  n.Run({"disk", "remove", disk_node, pv0->spec().local().path()});
  n.Run({"delete", "pvc", "local-vol-local-test-0"});
  n.Run({"delete", "pv", volume});
  n.Run({"get", "pvc"});
  n.Run({"get", "pv"});

  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  out << "\nThe whole story took " << took.count() << " ms.";
  if (!options.keep_dir.empty()) {
    out << " The cluster's data stays in " << options.keep_dir
        << ": run `lpv server --data-dir " << options.keep_dir << "` to explore it.";
  }
  out << "\n";
  (*c)->Stop();
  return 0;
}

}  // namespace lpv::cmd
