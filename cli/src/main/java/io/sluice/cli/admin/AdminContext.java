package io.sluice.cli.admin;

import io.sluice.cli.CliException;
import io.sluice.cli.ConfOptions;
import io.sluice.cli.OutputOptions;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.GetMasterStatusRequest;
import io.sluice.common.proto.GetMasterStatusResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MasterStatus;
import io.sluice.common.rpc.FailoverRpcClient;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import picocli.CommandLine.Mixin;

/**
 * What the admin commands share: the configuration, the output format, and asking each configured master for its
 * own status (GET_MASTER_STATUS, which followers answer too). Masters are asked directly, one connection each and
 * all at once, rather than through the failover client, which would stop at the first that answers.
 */
final class AdminContext {
  /** A status is cheap to build: a master that takes longer is reported as not answering. */
  private static final Duration MAX_CALL_TIMEOUT = Duration.ofSeconds(10);

  @Mixin
  ConfOptions conf;

  @Mixin
  OutputOptions output;

  private SluiceConf loaded;

  SluiceConf conf() {
    if (loaded == null) {
      loaded = conf.load();
    }
    return loaded;
  }

  /** Every configured master's status or error, in configuration order. */
  List<MasterProbe> probeMasters() {
    SluiceConf c = conf();
    RpcOptions base = RpcOptions.from(c);
    RpcOptions opts = base.callTimeout().compareTo(MAX_CALL_TIMEOUT) > 0 ? base.withCallTimeout(MAX_CALL_TIMEOUT)
        : base;
    List<InetSocketAddress> addresses = FailoverRpcClient.parseAddresses(c.get(CommonKeys.MASTER_ADDRESSES));
    // A thread per master: the calls block, and a slow master must not hold up asking the others.
    ExecutorService pool = Executors.newFixedThreadPool(addresses.size(), r -> {
      Thread t = new Thread(r, "admin-probe");
      t.setDaemon(true);
      return t;
    });
    try {
      List<CompletableFuture<MasterProbe>> asks = addresses.stream()
          .map(a -> CompletableFuture.supplyAsync(() -> probe(a, opts), pool)).toList();
      return asks.stream().map(CompletableFuture::join).toList();
    } finally {
      pool.shutdown();
    }
  }

  private static MasterProbe probe(InetSocketAddress configured, RpcOptions opts) {
    String address = configured.getHostString() + ":" + configured.getPort();
    try (RpcClient c = RpcClient.connect(new InetSocketAddress(configured.getHostString(), configured.getPort()),
        opts)) {
      MasterStatus s = c.call(MasterMethod.GET_MASTER_STATUS_VALUE, GetMasterStatusRequest.getDefaultInstance(),
          GetMasterStatusResponse.parser()).getStatus();
      return new MasterProbe(address, s, null);
    } catch (RpcException e) {
      return new MasterProbe(address, null, e.getMessage());
    }
  }

  /**
   * The status of the master that leads, the one of the highest term should two claim it (an old leader that has
   * not yet learnt of the new term).
   *
   * @throws CliException when none leads, naming each master and why
   */
  static MasterStatus leader(List<MasterProbe> probes) {
    return probes.stream().filter(MasterProbe::leads).max(Comparator.comparingLong(p -> p.status().getTerm()))
        .map(MasterProbe::status).orElseThrow(() -> new CliException("no master leads: " + probes.stream()
            .map(p -> p.address() + (p.reachable() ? " is " + p.status().getRole() : " unreachable (" + p.error()
                + ")")).collect(Collectors.joining("; "))));
  }

  /** The leader's status, after asking every master. */
  MasterStatus leader() {
    return leader(probeMasters());
  }

  /** The leader's workers, each with its own status where its HTTP port answers. */
  List<WorkerView> workers(MasterStatus leader) {
    return WorkerStatusFetch.fetch(leader.getWorkersList(), conf());
  }
}
