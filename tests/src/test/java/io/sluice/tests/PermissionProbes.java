package io.sluice.tests;

import io.sluice.cli.SluiceMain;
import io.sluice.client.FileEditor;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceInputStream;
import io.sluice.common.proto.SetXattrRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.tests.PermissionMatrixTest.Case;
import java.io.FileNotFoundException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.security.UserGroupInformation;
import picocli.CommandLine;

/**
 * {@link PermissionMatrixTest}'s operations through the Java client, Hadoop's FileSystem and the CLI, each answering
 * {@link #ALLOW}, {@link #DENIED} or {@link #NOT_FOUND} (the front end's own way of saying permission denied or no
 * such file), {@link #NOT_OFFERED} (the front end has no such operation), or what else happened.
 */
final class PermissionProbes {
  static final String ALLOW = "ALLOW";
  static final String DENIED = "DENIED";
  static final String NOT_FOUND = "NOT_FOUND";
  static final String NOT_OFFERED = "NOT_OFFERED";
  private static final byte[] DATA = "changed\n".getBytes(StandardCharsets.UTF_8);
  /** The explicit times SET_TIMES sets (2020-01-01), as the FUSE column's python does. */
  static final long TIMES_MS = 1_577_836_800_000L;

  private PermissionProbes() {}

  /** Through {@link SluiceClient}: a denial is an {@link RpcException} with status PERMISSION_DENIED. */
  static String java(SluiceClient c, Case k) {
    String p = k.path();
    try {
      switch (k.op()) {
        case STAT, STAT_MISSING -> c.getStatus(p);
        case LIST -> c.listStatusAll(p);
        case CREATE -> c.create(p).close();
        case MKDIR -> c.mkdir(p, false);
        case DELETE -> c.delete(p, false);
        case RENAME -> c.rename(p, k.arg());
        case READ -> {
          try (SluiceInputStream in = c.open(p)) {
            in.readAllBytes();
          }
        }
        case WRITE -> {
          try (FileEditor e = c.edit(p)) {
            e.truncate(0);
            e.write(0, DATA, 0, DATA.length);
          }
        }
        case APPEND -> {
          try (FileEditor e = c.edit(p)) {
            e.write(e.length(), DATA, 0, DATA.length);
          }
        }
        case TOUCH -> c.touch(p);
        case SET_TIMES -> c.setTimes(p, TIMES_MS, TIMES_MS);
        case SETXATTR -> c.setXattr(p, "user.matrix", DATA, SetXattrRequest.Mode.ANY);
        case CHMOD -> c.setMode(p, Integer.parseInt(k.arg(), 8));
        case CHOWN -> c.setOwner(p, k.arg(), null);
        case CHGRP -> c.setOwner(p, null, k.arg());
      }
      return ALLOW;
    } catch (RpcException e) {
      return switch (e.status()) {
        case PERMISSION_DENIED -> DENIED;
        case NOT_FOUND -> NOT_FOUND;
        default -> e.status() + ": " + e.getMessage();
      };
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** A FileSystem of {@code sluice://MASTER/} for {@code user} as Hadoop names users: its current UGI. */
  static FileSystem hadoopFileSystem(String master, String user) throws Exception {
    UserGroupInformation ugi = UserGroupInformation.createRemoteUser(user);
    return ugi.doAs((PrivilegedExceptionAction<FileSystem>) () ->
        FileSystem.newInstance(URI.create("sluice://" + master + "/"), new Configuration()));
  }

  /**
   * Through Hadoop's FileSystem: a denial is an {@link AccessControlException}. Writing is HDFS's way: truncate,
   * then append. Hadoop has no "times to now" (setTimes takes explicit times, an owner-only change).
   */
  static String hadoop(FileSystem fs, Case k) {
    Path p = new Path(k.path());
    try {
      switch (k.op()) {
        case STAT, STAT_MISSING -> fs.getFileStatus(p);
        case LIST -> fs.listStatus(p);
        case CREATE -> fs.create(p, false).close();
        case MKDIR -> {
          if (!fs.mkdirs(p)) {
            return "mkdirs returned false";
          }
        }
        case DELETE -> {
          if (!fs.delete(p, false)) {
            return "delete returned false";
          }
        }
        case RENAME -> {
          if (!fs.rename(p, new Path(k.arg()))) {
            return "rename returned false";
          }
        }
        case READ -> {
          try (FSDataInputStream in = fs.open(p)) {
            in.readAllBytes();
          }
        }
        case WRITE -> {
          fs.truncate(p, 0);
          try (FSDataOutputStream out = fs.append(p)) {
            out.write(DATA);
          }
        }
        case APPEND -> {
          try (FSDataOutputStream out = fs.append(p)) {
            out.write(DATA);
          }
        }
        case TOUCH -> {
          return NOT_OFFERED;
        }
        case SET_TIMES -> fs.setTimes(p, TIMES_MS, TIMES_MS);
        case SETXATTR -> fs.setXAttr(p, "user.matrix", DATA);
        case CHMOD -> fs.setPermission(p, new FsPermission((short) Integer.parseInt(k.arg(), 8)));
        case CHOWN -> fs.setOwner(p, k.arg(), null);
        case CHGRP -> fs.setOwner(p, null, k.arg());
      }
      return ALLOW;
    } catch (AccessControlException e) {
      return DENIED;
    } catch (FileNotFoundException e) {
      return NOT_FOUND;
    } catch (Exception e) {
      return e.toString();
    }
  }

  /**
   * Through {@code sluice fs ...} in this JVM as {@code user}: a denial is exit code 1 with "Permission denied" on
   * stderr. The CLI has no in-place write, append, explicit times or xattr command. What {@code cat} prints goes to
   * {@code System.out}, which the caller points somewhere.
   */
  static String cli(String master, String user, Case k) {
    String p = k.path();
    List<String> args = new ArrayList<>(List.of("fs"));
    switch (k.op()) {
      case STAT, STAT_MISSING -> args.addAll(List.of("stat", p));
      case LIST -> args.addAll(List.of("ls", p));
      case CREATE, TOUCH -> args.addAll(List.of("touch", p));
      case MKDIR -> args.addAll(List.of("mkdir", p));
      case DELETE -> args.addAll(List.of("rm", p));
      case RENAME -> args.addAll(List.of("mv", p, k.arg()));
      case READ -> args.addAll(List.of("cat", p));
      case CHMOD -> args.addAll(List.of("chmod", k.arg(), p));
      case CHOWN -> args.addAll(List.of("chown", k.arg(), p));
      case CHGRP -> args.addAll(List.of("chown", ":" + k.arg(), p));
      case WRITE, APPEND, SET_TIMES, SETXATTR -> {
        return NOT_OFFERED;
      }
    }
    args.addAll(List.of("--conf", "sluice.master.addresses=" + master, "--conf", "sluice.user.name=" + user));
    StringWriter err = new StringWriter();
    CommandLine cl = SluiceMain.commandLine();
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(OutputStream.nullOutputStream()));
    int code = cl.execute(args.toArray(String[]::new));
    if (code == 0) {
      return ALLOW;
    }
    if (code == 1 && err.toString().contains(": Permission denied")) {
      return DENIED;
    }
    if (code == 1 && err.toString().contains(": No such file or directory")) {
      return NOT_FOUND;
    }
    return "exit " + code + ": " + err;
  }
}
