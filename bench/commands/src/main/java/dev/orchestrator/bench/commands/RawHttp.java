package dev.orchestrator.bench.commands;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal blocking HTTP/1.1 keep-alive client on one socket: request line, headers,
 * Content-Length body out; status, headers and a Content-Length or chunked body in. It exists
 * because java.net.http.HttpClient costs about 0.4 ms of CPU per request here (measured on this
 * 2-core machine) against about 0.03 ms for this, and the load generator shares the two cores with
 * the system under test. Connects to 127.0.0.1 unless given another host (bench/failover's
 * partition run, whose nodes live in network namespaces).
 */
public final class RawHttp implements Closeable {
  public record Response(int status, String body) {}

  private final String host;
  private final int port;
  private final int timeoutMs;
  private Socket socket;
  private OutputStream out;
  private InputStream in;

  public RawHttp(int port, int timeoutMs) {
    this("127.0.0.1", port, timeoutMs);
  }

  public RawHttp(String host, int port, int timeoutMs) {
    this.host = host;
    this.port = port;
    this.timeoutMs = timeoutMs;
  }

  private void connect() throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.setKeepAlive(true);
    s.connect(new InetSocketAddress(host, port), 5_000);
    s.setSoTimeout(timeoutMs);
    socket = s;
    out = s.getOutputStream();
    in = new BufferedInputStream(s.getInputStream(), 8192);
  }

  /** POSTs a JSON body; on any I/O failure the connection is dropped (the next call reconnects). */
  public Response post(String path, String token, String json) throws IOException {
    return request("POST", path, token, json);
  }

  /**
   * Any method, with a JSON body or none ({@code json} null, as for GET); on any I/O failure the
   * connection is dropped (the next call reconnects).
   */
  public Response request(String method, String path, String token, String json)
      throws IOException {
    byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
    String head =
        method + " " + path + " HTTP/1.1\r\n"
            + "Host: " + host + ":" + port + "\r\n"
            + "Authorization: Bearer " + token + "\r\n"
            + (json == null ? "" : "Content-Type: application/json\r\n")
            + (json == null && !method.equals("POST") && !method.equals("PUT")
                ? ""
                : "Content-Length: " + body.length + "\r\n")
            + "\r\n";
    try {
      if (socket == null) {
        connect();
      }
      byte[] h = head.getBytes(StandardCharsets.US_ASCII);
      byte[] req = new byte[h.length + body.length];
      System.arraycopy(h, 0, req, 0, h.length);
      System.arraycopy(body, 0, req, h.length, body.length);
      out.write(req);
      out.flush();
      return read();
    } catch (IOException | RuntimeException e) {
      close();
      throw e instanceof IOException io ? io : new IOException(e.toString(), e);
    }
  }

  private Response read() throws IOException {
    String status = line();
    if (!status.startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP response: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    int length = -1;
    boolean chunked = false;
    boolean closeAfter = status.startsWith("HTTP/1.0");
    while (true) {
      String l = line();
      if (l.isEmpty()) {
        break;
      }
      int colon = l.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = l.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> length = Integer.parseInt(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> closeAfter = value.equalsIgnoreCase("close");
        default -> {}
      }
    }
    byte[] body;
    if (code == 204 || code == 304 || code < 200) {
      body = new byte[0]; // never a body (RFC 9112 6.3), whatever the headers say
    } else if (chunked) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      while (true) {
        String size = line();
        int semi = size.indexOf(';');
        int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        if (n == 0) {
          while (!line().isEmpty()) {
            // trailers
          }
          break;
        }
        buf.write(exactly(n));
        line();
      }
      body = buf.toByteArray();
    } else if (length >= 0) {
      body = exactly(length);
    } else {
      body = in.readAllBytes(); // no length: the body ends with the connection
      closeAfter = true;
    }
    if (closeAfter) {
      close();
    }
    return new Response(code, new String(body, StandardCharsets.UTF_8));
  }

  private byte[] exactly(int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new IOException("connection closed in the body");
    }
    return b;
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder(64);
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed");
      }
      if (c == '\n') {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') {
          sb.setLength(len - 1);
        }
        return sb.toString();
      }
      sb.append((char) c);
    }
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // ignore
      }
      socket = null;
    }
  }
}
