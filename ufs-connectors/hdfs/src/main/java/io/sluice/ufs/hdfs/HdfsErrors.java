package io.sluice.ufs.hdfs;

import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsException.Kind;
import io.sluice.ufs.UfsPath;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.InvalidPathException;
import org.apache.hadoop.fs.ParentNotDirectoryException;
import org.apache.hadoop.fs.PathIsNotEmptyDirectoryException;
import org.apache.hadoop.hdfs.protocol.QuotaExceededException;
import org.apache.hadoop.ipc.RemoteException;
import org.apache.hadoop.ipc.RetriableException;
import org.apache.hadoop.ipc.StandbyException;
import org.apache.hadoop.security.AccessControlException;

/** Maps Hadoop file system failures to {@link UfsException} kinds: the one place the HDFS connector classifies them. */
final class HdfsErrors {
  private HdfsErrors() {}

  static UfsException translate(IOException e, UfsPath path) {
    if (e instanceof UfsException u) {
      return u;
    }
    IOException cause = e instanceof RemoteException r ? r.unwrapRemoteException() : e;
    String p = path.toString();
    String what = cause.getClass().getSimpleName() + ": " + firstLine(cause.getMessage());
    Kind kind;
    if (cause instanceof FileNotFoundException) {
      kind = Kind.NOT_FOUND;
    } else if (cause instanceof FileAlreadyExistsException) {
      kind = Kind.ALREADY_EXISTS;
    } else if (cause instanceof PathIsNotEmptyDirectoryException) {
      kind = Kind.NOT_EMPTY;
    } else if (cause instanceof ParentNotDirectoryException) {
      kind = Kind.NOT_DIRECTORY;
    } else if (cause instanceof AccessControlException) {
      kind = Kind.PERMISSION_DENIED;
    } else if (cause instanceof QuotaExceededException) {
      kind = Kind.NO_SPACE;
    } else if (cause instanceof StandbyException || cause instanceof RetriableException
        || cause instanceof ConnectException || cause instanceof NoRouteToHostException
        || cause instanceof UnknownHostException || cause instanceof SocketTimeoutException) {
      kind = Kind.UNAVAILABLE;
    } else {
      kind = Kind.IO_ERROR;
    }
    return new UfsException(kind, p, what, e);
  }

  /** Names HDFS refuses (a ':' in a name, reserved names), which Hadoop reports as unchecked exceptions. */
  static UfsException invalidPath(RuntimeException e, UfsPath path) {
    String why = e instanceof InvalidPathException ? e.getMessage() : "not a valid HDFS path: " + e.getMessage();
    return new UfsException(Kind.INVALID_ARGUMENT, path.toString(), firstLine(why), e);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
