package io.sluice.master.decommission;

import io.sluice.common.proto.DecommissionState;
import io.sluice.common.proto.DecommissionWorkerRequest;
import io.sluice.common.proto.DecommissionWorkerResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.WorkerSummary;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.decommission.BlockSources.BlockSource;
import io.sluice.master.worker.BlockPlacement;
import io.sluice.master.worker.WorkerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decommissioning workers ({@code sluice admin decommission}): takes the operator's requests and runs the drain
 * rounds ({@link DrainPlanner}) on the leader's housekeeping schedule.
 *
 * <p>The state is soft, like the rest of the worker registry (DESIGN §1): it is not journaled, so a master that
 * takes over knows every worker as in service, and the operator asks again (the request is idempotent, and the
 * drain resumes from what the workers hold: blocks already copied count as drained). Journaling it would need a
 * journal entry and a store table for what is an operator's intent about one process's lifetime; a failover during
 * a drain costs at most placing a few blocks on the worker until the request is repeated.
 */
public final class Decommissioner {
  private static final Logger LOG = LoggerFactory.getLogger(Decommissioner.class);

  private final WorkerRegistry registry;
  private final DrainPlanner planner;

  /**
   * @param sources a block's length and UFS source, from the namespace ({@link BlockSources#lookup})
   * @param maxCopiesPerWorker copies in flight at once from one decommissioning worker
   * @param copyTimeout how long a copy task may take before the block is given to another worker
   */
  public Decommissioner(WorkerRegistry registry, BlockPlacement placement,
      LongFunction<Optional<BlockSource>> sources, Clock clock, int maxCopiesPerWorker, Duration copyTimeout) {
    if (maxCopiesPerWorker < 1) {
      throw new IllegalArgumentException("at least one copy per worker must be allowed: " + maxCopiesPerWorker);
    }
    this.registry = registry;
    this.planner = new DrainPlanner(registry, placement, sources, clock, maxCopiesPerWorker, copyTimeout);
    registry.onCopyFailures(planner::copyFailed);
  }

  /**
   * Starts, cancels or reports on the decommission of the named worker; a start runs a drain round at once, so
   * the answer already counts the blocks left.
   *
   * @throws RpcException INVALID_ARGUMENT unless exactly one of id and address names the worker, NOT_FOUND for a
   *     worker this master does not know
   */
  public DecommissionWorkerResponse request(DecommissionWorkerRequest req) throws RpcException {
    long id = resolve(req);
    if (!req.getStatusOnly()) {
      DecommissionState now = summary(id).getDecommission();
      if (req.getCancel()) {
        registry.setDecommission(id, DecommissionState.IN_SERVICE);
      } else if (now == DecommissionState.IN_SERVICE) {
        registry.setDecommission(id, DecommissionState.DECOMMISSIONING);
        LOG.info("decommissioning worker {}: copying its blocks to other workers", id);
      }
      planner.round();
    }
    WorkerSummary w = summary(id);
    return DecommissionWorkerResponse.newBuilder().setState(w.getDecommission())
        .setRemainingBlocks(w.getDecommissionRemainingBlocks()).setWorker(w).build();
  }

  /** One drain round; for the housekeeping schedule, which must not die of an exception. */
  public void runQuietly() {
    try {
      planner.round();
    } catch (RuntimeException e) {
      LOG.error("decommission round failed", e);
    }
  }

  private WorkerSummary summary(long id) throws RpcException {
    return registry.summary(id).orElseThrow(() -> new RpcException(Status.NOT_FOUND, "no worker " + id));
  }

  private long resolve(DecommissionWorkerRequest req) throws RpcException {
    boolean byId = req.getWorkerId() != 0;
    boolean byAddress = !req.getAddress().isEmpty();
    if (byId == byAddress) {
      throw new RpcException(Status.INVALID_ARGUMENT, "name the worker by id or by host:port, exactly one");
    }
    if (byId) {
      summary(req.getWorkerId());
      return req.getWorkerId();
    }
    OptionalLong id = registry.idOf(req.getAddress());
    if (id.isEmpty()) {
      throw new RpcException(Status.NOT_FOUND, "no worker at " + req.getAddress()
          + " (workers are named by host:data-port as `sluice admin workers` lists them)");
    }
    return id.getAsLong();
  }
}
