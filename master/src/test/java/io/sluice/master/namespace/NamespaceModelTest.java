package io.sluice.master.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.SetAttributesRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-based random test: thousands of random namespace operations run against the master's ops on a real RocksDB
 * store (reopened now and then, as after a restart) and against a small in-memory tree written from POSIX and the
 * documented semantics, not from the code; every outcome is compared, error statuses included. Names come from a
 * tiny alphabet so that paths collide, nest and clash often; hard links make one model node appear under several
 * names, so removals and renames of each name are checked against nlink and the listings. The seed is printed and
 * can be fixed with {@code -Dsluice.model.seed=N}.
 */
class NamespaceModelTest {
  private static final int OPS = 6000;
  private static final int REOPEN_EVERY = 1500;
  private static final String[] NAMES = {"a", "b", "c"};

  @TempDir
  Path dir;

  /**
   * The model: a node per inode; a directory's children by name. A file or symlink with hard links is one node
   * under several names, counted in {@code names}.
   */
  private static final class Node {
    final boolean dir;
    boolean link;
    boolean complete;
    int mode;
    int names = 1;
    final TreeMap<String, Node> children = new TreeMap<>();

    Node(boolean dir, int mode) {
      this.dir = dir;
      this.mode = mode;
    }

    int nlink() {
      return dir ? 2 + (int) children.values().stream().filter(c -> c.dir).count() : names;
    }

    FileType type() {
      return dir ? FileType.DIRECTORY : link ? FileType.SYMLINK : FileType.FILE;
    }

    /** Inodes in this subtree, each once however many names it has there. */
    int count() {
      Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      Deque<Node> todo = new ArrayDeque<>(List.of(this));
      while (!todo.isEmpty()) {
        Node n = todo.pop();
        if (seen.add(n)) {
          todo.addAll(n.children.values());
        }
      }
      return seen.size();
    }

    /** This name and every name below it are gone. */
    void forget() {
      if (dir) {
        children.values().forEach(Node::forget);
      } else {
        names--;
      }
    }
  }

  private final Node root = new Node(true, 0755);
  /** Hard links made: the run must make some for its checks of names and nlink to mean anything. */
  private int linksMade;

  /** The model's answer: OK, or an error status. */
  private static final class ModelError extends Exception {
    private static final long serialVersionUID = 1L;
    final Status status;

    ModelError(Status status) {
      super(status.name(), null, false, false);
      this.status = status;
    }
  }

  private static List<String> names(String path) {
    List<String> out = new ArrayList<>();
    for (String n : path.split("/")) {
      if (!n.isEmpty()) {
        out.add(n);
      }
    }
    return out;
  }

  /** How far {@code names[0..limit)} exists; a file before the end of the walk is NOT_DIRECTORY. */
  private List<Node> walk(List<String> names, int limit) throws ModelError {
    List<Node> chain = new ArrayList<>(List.of(root));
    Node cur = root;
    for (int i = 0; i < limit; i++) {
      if (!cur.dir) {
        throw new ModelError(Status.NOT_DIRECTORY);
      }
      Node next = cur.children.get(names.get(i));
      if (next == null) {
        return chain;
      }
      chain.add(next);
      cur = next;
    }
    return chain;
  }

  private Node resolve(List<String> names) throws ModelError {
    List<Node> chain = walk(names, names.size());
    if (chain.size() != names.size() + 1) {
      throw new ModelError(Status.NOT_FOUND);
    }
    return chain.get(chain.size() - 1);
  }

  private Node parentDirectory(List<String> names) throws ModelError {
    List<Node> chain = walk(names, names.size() - 1);
    if (chain.size() < names.size()) {
      throw new ModelError(Status.NOT_FOUND);
    }
    Node p = chain.get(chain.size() - 1);
    if (!p.dir) {
      throw new ModelError(Status.NOT_DIRECTORY);
    }
    return p;
  }

  private void mkdir(List<String> n, boolean recursive) throws ModelError {
    List<Node> chain = walk(n, n.size());
    if (chain.size() == n.size() + 1) {
      if (recursive && chain.get(n.size()).dir) {
        return;
      }
      throw new ModelError(Status.ALREADY_EXISTS);
    }
    int found = chain.size() - 1;
    if (!recursive && n.size() - found > 1) {
      throw new ModelError(Status.NOT_FOUND);
    }
    Node cur = chain.get(found);
    for (int i = found; i < n.size(); i++) {
      Node d = new Node(true, 0755);
      cur.children.put(n.get(i), d);
      cur = d;
    }
  }

  private Node create(List<String> n, boolean overwrite, boolean recursive) throws ModelError {
    List<Node> chain = walk(n, n.size());
    int found = chain.size() - 1;
    if (found == n.size()) {
      if (chain.get(found).dir) {
        throw new ModelError(Status.IS_DIRECTORY);
      }
      if (!overwrite) {
        throw new ModelError(Status.ALREADY_EXISTS);
      }
      chain.get(found).forget();
    } else if (found < n.size() - 1 && !recursive) {
      throw new ModelError(Status.NOT_FOUND);
    }
    Node cur = chain.get(Math.min(found, n.size() - 1));
    for (int i = found; i < n.size() - 1; i++) {
      Node d = new Node(true, 0755);
      cur.children.put(n.get(i), d);
      cur = d;
    }
    Node file = new Node(false, 0644);
    cur.children.put(n.get(n.size() - 1), file);
    return file;
  }

  private void delete(List<String> n, boolean recursive) throws ModelError {
    if (n.isEmpty()) {
      throw new ModelError(Status.INVALID_ARGUMENT);
    }
    Node target = resolve(n);
    if (target.dir && !recursive && !target.children.isEmpty()) {
      throw new ModelError(Status.NOT_EMPTY);
    }
    resolve(n.subList(0, n.size() - 1)).children.remove(n.get(n.size() - 1));
    target.forget();
  }

  private void rename(List<String> src, List<String> dst, boolean replace) throws ModelError {
    if (src.isEmpty()) {
      throw new ModelError(Status.INVALID_ARGUMENT);
    }
    Node moved = resolve(src);
    if (src.equals(dst)) {
      return;
    }
    if (dst.size() >= src.size() && dst.subList(0, src.size()).equals(src)) {
      throw new ModelError(Status.INVALID_ARGUMENT);  // into its own subtree
    }
    if (dst.isEmpty()) {
      throw new ModelError(Status.ALREADY_EXISTS);
    }
    Node dstParent = parentDirectory(dst);
    Node existing = dstParent.children.get(dst.get(dst.size() - 1));
    if (existing != null) {
      if (!replace) {
        throw new ModelError(Status.ALREADY_EXISTS);
      }
      if (existing == moved) {
        return;  // two names of one file: POSIX rename does nothing
      }
      if (moved.dir && !existing.dir) {
        throw new ModelError(Status.NOT_DIRECTORY);
      }
      if (!moved.dir && existing.dir) {
        throw new ModelError(Status.IS_DIRECTORY);
      }
      if (existing.dir && !existing.children.isEmpty()) {
        throw new ModelError(Status.NOT_EMPTY);
      }
    }
    resolve(src.subList(0, src.size() - 1)).children.remove(src.get(src.size() - 1));
    if (existing != null) {
      existing.forget();
    }
    dstParent.children.put(dst.get(dst.size() - 1), moved);
  }

  /** A hard link: {@code n} becomes another name of the complete file or symlink at {@code target}. */
  private void link(List<String> n, List<String> target) throws ModelError {
    Node t = resolve(target);
    if (t.dir) {
      throw new ModelError(Status.IS_DIRECTORY);
    }
    if (!t.link && !t.complete) {
      throw new ModelError(Status.INVALID_ARGUMENT);
    }
    if (n.isEmpty() || walk(n, n.size()).size() == n.size() + 1) {
      throw new ModelError(Status.ALREADY_EXISTS);
    }
    parentDirectory(n).children.put(n.get(n.size() - 1), t);
    t.names++;
  }

  private void symlink(List<String> n) throws ModelError {
    if (n.isEmpty()) {
      throw new ModelError(Status.ALREADY_EXISTS);
    }
    Node parent = parentDirectory(n);
    if (parent.children.containsKey(n.get(n.size() - 1))) {
      throw new ModelError(Status.ALREADY_EXISTS);
    }
    Node link = new Node(false, 0777);
    link.link = true;
    parent.children.put(n.get(n.size() - 1), link);
  }

  private static String randomPath(SplittableRandom rnd) {
    int depth = rnd.nextInt(4);  // 0 is the root
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      b.append('/').append(NAMES[rnd.nextInt(NAMES.length)]);
    }
    return b.length() == 0 ? "/" : b.toString();
  }

  /**
   * Mostly the path of a file or symlink the model has (random paths are mostly directories or nothing, which
   * would leave few links made), sometimes any path.
   */
  private String linkTarget(SplittableRandom rnd) {
    List<String> files = new ArrayList<>();
    Deque<Map.Entry<String, Node>> todo = new ArrayDeque<>(List.of(Map.entry("", root)));
    while (!todo.isEmpty()) {
      Map.Entry<String, Node> e = todo.pop();
      e.getValue().children.forEach((name, child) -> {
        String path = e.getKey() + "/" + name;
        if (child.dir) {
          todo.push(Map.entry(path, child));
        } else {
          files.add(path);
        }
      });
    }
    return files.isEmpty() || rnd.nextInt(4) == 0 ? randomPath(rnd) : files.get(rnd.nextInt(files.size()));
  }

  /** Runs one op on both sides; returns what they did, for the failure message. */
  private String step(NamespaceFixture ns, SplittableRandom rnd) throws Exception {
    String p = randomPath(rnd);
    List<String> n = names(p);
    boolean flag = rnd.nextBoolean();
    int op = rnd.nextInt(12);
    String what;
    Status expected;
    Status actual;
    switch (op) {
      case 0, 1 -> {
        what = "mkdir " + p + (flag ? " -p" : "");
        expected = model(() -> mkdir(n, flag));
        actual = real(() -> ns.mkdir(p, flag));
      }
      case 2, 3 -> {
        boolean recursive = rnd.nextBoolean();
        boolean close = rnd.nextBoolean();
        what = "create " + p + (flag ? " overwrite" : "") + (recursive ? " recursive" : "") + (close ? " close" : "");
        expected = model(() -> create(n, flag, recursive).complete = close);
        actual = real(() -> {
          FileInfo f = ns.create(CreateFileRequest.newBuilder().setPath(p).setOverwrite(flag)
              .setRecursive(recursive).build()).getInfo();
          if (close) {
            ns.complete(f.getId(), List.of(), 0);
          }
        });
      }
      case 4 -> {
        what = "delete " + p + (flag ? " -r" : "");
        expected = model(() -> delete(n, flag));
        actual = real(() -> ns.delete(p, flag));
      }
      case 5, 6 -> {
        String d = randomPath(rnd);
        what = "rename " + p + " " + d + (flag ? " replace" : "");
        expected = model(() -> rename(n, names(d), flag));
        actual = real(() -> {
          if (flag) {
            ns.renameReplacing(p, d);
          } else {
            ns.rename(p, d);
          }
        });
      }
      case 7 -> {
        int mode = rnd.nextInt(01000);
        what = "chmod " + Integer.toOctalString(mode) + " " + p;
        expected = model(() -> resolve(n).mode = mode);
        actual = real(() -> ns.setAttributes(SetAttributesRequest.newBuilder().setPath(p).setMode(mode).build()));
      }
      case 8 -> {
        what = "symlink " + p;
        expected = model(() -> symlink(n));
        actual = real(() -> ns.symlink(p, "target-of" + p));
      }
      case 9, 10 -> {
        String t = linkTarget(rnd);
        what = "link " + p + " to " + t;
        expected = model(() -> link(n, names(t)));
        actual = real(() -> ns.link(p, t));
        linksMade += actual == Status.OK ? 1 : 0;
      }
      default -> {
        what = "stat+list " + p;
        expected = model(() -> resolve(n));
        actual = real(() -> ns.stat(p));
        if (expected == Status.OK && actual == Status.OK) {
          compare(ns, p, resolve(n), what);
        }
      }
    }
    assertEquals(expected, actual, what);
    return what;
  }

  /** Stat and listing of {@code p} as the model has them. */
  private static void compare(NamespaceFixture ns, String p, Node node, String what) throws RpcException {
    FileInfo info = ns.stat(p);
    assertEquals(node.type(), info.getType(), what);
    assertEquals(node.mode, info.getMode(), what + ": mode");
    assertEquals(node.nlink(), info.getNlink(), what + ": nlink");
    if (node.dir) {
      Map<String, FileType> listed = new TreeMap<>();
      for (FileInfo c : ns.list(p, "", 0).getEntriesList()) {
        listed.put(c.getName(), c.getType());
      }
      Map<String, FileType> modeled = new TreeMap<>();
      node.children.forEach((k, v) -> modeled.put(k, v.type()));
      assertEquals(modeled, listed, what + ": listing");
    }
  }

  private interface ModelOp {
    void run() throws ModelError;
  }

  private interface RealOp {
    void run() throws Exception;
  }

  private static Status model(ModelOp op) {
    try {
      op.run();
      return Status.OK;
    } catch (ModelError e) {
      return e.status;
    }
  }

  private static Status real(RealOp op) throws Exception {
    try {
      op.run();
      return Status.OK;
    } catch (RpcException e) {
      return e.status();
    }
  }

  private void compareAll(NamespaceFixture ns, String path, Node node) throws RpcException {
    compare(ns, path, node, "final walk of " + path);
    for (Map.Entry<String, Node> c : node.children.entrySet()) {
      compareAll(ns, (path.equals("/") ? "" : path) + "/" + c.getKey(), c.getValue());
    }
  }

  @Test
  void randomOperationsMatchTheModel() throws Exception {
    long seed = Long.getLong("sluice.model.seed", System.nanoTime());
    System.out.println("NamespaceModelTest seed " + seed + " (rerun: -Dsluice.model.seed=" + seed + ")");
    SplittableRandom rnd = new SplittableRandom(seed);
    NamespaceFixture ns = new NamespaceFixture(dir);
    List<String> recent = new ArrayList<>();
    try {
      for (int i = 0; i < OPS; i++) {
        if (i > 0 && i % REOPEN_EVERY == 0) {
          ns.close();
          ns = new NamespaceFixture(dir);  // a restart: everything must come back from RocksDB
          recent.add("(reopened)");
        }
        try {
          recent.add(step(ns, rnd));
        } catch (AssertionError e) {
          throw new AssertionError("seed " + seed + ", op " + i + "; last ops: "
              + recent.subList(Math.max(0, recent.size() - 15), recent.size()), e);
        }
      }
      compareAll(ns, "/", root);
      assertEquals(root.count(), ns.store.inodeCount(), "inodes in the store");
      System.out.println("NamespaceModelTest made " + linksMade + " hard links");
      assertTrue(linksMade > 0, "no hard link was made: the run checked nothing of them");
    } finally {
      ns.close();
    }
  }
}
