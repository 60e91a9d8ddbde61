package io.sluice.common.testing;

import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.Handshake;
import io.sluice.common.proto.Status;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * A misbehaving RPC peer on a plain {@link Socket}: it writes frames in the layout drawn in {@code FrameDecoder}
 * (or any bytes at all) and reads what the server answers, so tests can send what {@code RpcClient} never would.
 * Without a shared secret on the server, {@link #handshake} admits it like a real client.
 */
public final class RawRpcPeer implements Closeable {
  /** One frame read back: its header and the bytes after the header (body and data). */
  public record Received(FrameHeader header, byte[] rest) {}

  private final Socket socket;
  private final DataOutputStream out;
  private final DataInputStream in;

  public RawRpcPeer(InetSocketAddress server) throws IOException {
    socket = new Socket(server.getAddress(), server.getPort());
    socket.setSoTimeout(10_000);
    out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
    in = new DataInputStream(socket.getInputStream());
  }

  public Socket socket() {
    return socket;
  }

  /** Sends a version 1 handshake as {@code user} and checks the server admitted it. */
  public RawRpcPeer handshake(String user) throws IOException {
    Handshake hs = Handshake.newBuilder().setVersion(1).setUser(user).setClientId("raw-peer").build();
    write(FrameHeader.newBuilder().setKind(FrameKind.HANDSHAKE).build(), hs.toByteArray(), new byte[0]);
    flush();
    Received r = read();
    if (r.header().getKind() != FrameKind.HANDSHAKE || r.header().getStatus() != Status.OK) {
      throw new IOException("handshake refused: " + r.header());
    }
    return this;
  }

  /** Buffers one well-formed frame; its body_length is set here. Call {@link #flush} to send. */
  public void write(FrameHeader header, byte[] body, byte[] data) throws IOException {
    byte[] h = header.toBuilder().setBodyLength(body.length).build().toByteArray();
    out.writeInt(4 + h.length + body.length + data.length);
    out.writeInt(h.length);
    out.write(h);
    out.write(body);
    out.write(data);
  }

  /** Buffers raw bytes, framed or not. */
  public void writeRaw(byte[] bytes) throws IOException {
    out.write(bytes);
  }

  public void flush() throws IOException {
    out.flush();
  }

  /** Reads one frame; fails with {@link EOFException} when the server closed the connection. */
  public Received read() throws IOException {
    int length = in.readInt();
    byte[] frame = new byte[length];
    in.readFully(frame);
    int hl = ((frame[0] & 0xff) << 24) | ((frame[1] & 0xff) << 16) | ((frame[2] & 0xff) << 8) | (frame[3] & 0xff);
    FrameHeader h = FrameHeader.parseFrom(Arrays.copyOfRange(frame, 4, 4 + hl));
    return new Received(h, Arrays.copyOfRange(frame, 4 + hl, frame.length));
  }

  /**
   * Reads and drops what the server sends until it closes the connection (true) or sends nothing for
   * {@code quietMs} (false).
   */
  public boolean drainUntilClosed(int quietMs) throws IOException {
    socket.setSoTimeout(quietMs);
    byte[] buf = new byte[8192];
    try {
      while (true) {
        if (socket.getInputStream().read(buf) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true;  // reset by the server
    } finally {
      socket.setSoTimeout(10_000);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
