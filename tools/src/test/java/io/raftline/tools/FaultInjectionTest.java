package io.raftline.tools;

import io.raftline.core.EntryType;
import io.raftline.client.Consumer;
import io.raftline.client.Producer;
import io.raftline.client.ProducerListener;
import io.raftline.io.node.NodeCounter;
import io.raftline.io.node.NodeStatus;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Our own Jepsen-style run: three node processes under three concurrent producers while a seeded nemesis kills
 * nodes (SIGKILL) and starts them again, pauses them (SIGSTOP, then SIGCONT; the leader more often than not), hands
 * leadership over, removes a node from the configuration and adds it back, and, where the machine can make network
 * namespaces (root, iproute2: CI), partitions the network: the leader cut off from both others, two nodes cut off
 * from each other, or one direction of one link. Then it heals and checks the history: every acknowledged entry is in the log exactly once
 * at the index it was acknowledged at, nothing that failed is in the log, each producer's entries are in sequence
 * order, an entry acknowledged before another was offered comes first (real-time order), every replica holds the
 * same log, a leader commits again within a bound after healing, and {@code verify} finds every data directory
 * clean. {@code -Dfaults.seed=N} replays a nemesis schedule, {@code -Dfaults.seconds=S} sets the length (CI: 40);
 * a failure names its seed and keeps its data directories.
 */
class FaultInjectionTest
{
    private static final long SEED = Long.getLong("faults.seed", System.nanoTime() & Long.MAX_VALUE);
    private static final int SECONDS = Integer.getInteger("faults.seconds", 40);
    private static final int PRODUCERS = 3;
    private static final int RATE_PER_PRODUCER = 500;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long RECOVERY_BOUND_NS = TimeUnit.SECONDS.toNanos(15);

    /** One producer's view of one entry: offered, then acknowledged at an index, failed, or unknown. */
    private record Operation(String producer, long sequence, long invokedNs, long index, long completedNs,
        Outcome outcome)
    {
    }

    private enum Outcome
    {
        OK, FAIL, INFO
    }

    private final Queue<Operation> history = new ConcurrentLinkedQueue<>();
    private final Queue<String> nemesisLog = new ConcurrentLinkedQueue<>();
    private final Queue<Throwable> producerFailures = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong lastAckNs = new AtomicLong();
    private final AtomicLong longestWithoutAckNs = new AtomicLong();

    @Test
    void acknowledgedEntriesSurviveKillsPausesAndTransfersExactlyOnceInOrder()
    {
        // bounded by the run's own length, so that a long run (-Dfaults.seconds) is not cut short
        assertTimeoutPreemptively(Duration.ofSeconds(SECONDS + 300L), this::run);
    }

    private void run() throws Exception
    {
        final Path dir = Files.createTempDirectory("raftline-faults-" + SEED + "-");
        final NetworkNamespaces network = NetworkNamespaces.create(3).orElse(null);
        if (network == null)
        {
            nemesisLog.add("no partitions: this machine cannot make network namespaces (needs root and iproute2)");
        }
        try (NetworkNamespaces ignored = network;
            ProcessCluster cluster = new ProcessCluster(dir, 3, 23201, List.of(), network))
        {
            cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3));
            final List<Thread> producers = new ArrayList<>();
            lastAckNs.set(System.nanoTime());
            for (int p = 1; p <= PRODUCERS; p++)
            {
                final String name = "p" + p;
                final Thread thread = new Thread(() ->
                {
                    try
                    {
                        produce(cluster, name);
                    }
                    catch (final Throwable failure)
                    {
                        producerFailures.add(failure);
                    }
                }, name);
                thread.start();
                producers.add(thread);
            }
            final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            final int faults = nemesis(cluster, network, new SplittableRandom(SEED), endNs);
            running.set(false);
            for (final Thread thread : producers)
            {
                thread.join(TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NS) * 2);
                assertTrue(!thread.isAlive(), thread.getName() + " did not finish");
            }
            assertTrue(producerFailures.isEmpty(), "a producer failed: " + producerFailures);

            final long healedNs = System.nanoTime();
            final long recoveryNs = commitOneAfterHealing(cluster) - healedNs;
            final List<NodeStatus> agreed = cluster.await("every node at the leader's commit index", 60, s ->
                ProcessCluster.oneAgreedLeader(s, 3) && s.stream().allMatch(n -> n.value(NodeCounter.COMMIT_INDEX) ==
                    ProcessCluster.leaderOf(s).value(NodeCounter.COMMIT_INDEX)));
            final long commitIndex = ProcessCluster.leaderOf(agreed).value(NodeCounter.COMMIT_INDEX);
            final List<Map<Long, String>> logs = new ArrayList<>();
            for (int id = 1; id <= 3; id++)
            {
                logs.add(readLog(cluster, id, commitIndex));
            }
            final long checked = check(logs);
            // at least a quarter of what was offered at the steady rate: a run that checks little proves little
            assertTrue(checked >= (long)SECONDS * PRODUCERS * RATE_PER_PRODUCER / 4, "only " + checked +
                " entries acknowledged");
            System.out.printf("faults: seed %d, %d s, %d faults injected (%s), %d operations, %d entries checked, " +
                    "violations: 0; longest time without an acknowledgement %.1f s; a commit %.1f s after healing; " +
                    "term %d at the end%n",
                SEED, SECONDS, faults, String.join(", ", nemesisLog), history.size(), checked,
                longestWithoutAckNs.get() / 1e9, recoveryNs / 1e9,
                ProcessCluster.leaderOf(agreed).value(NodeCounter.TERM));
            assertTrue(recoveryNs < RECOVERY_BOUND_NS, "a commit " + recoveryNs / 1e9 + " s after healing");
        }
        catch (final AssertionError | RuntimeException failure)
        {
            throw new AssertionError("fault injection failed: seed " + SEED + " (replay with -Dfaults.seed=" + SEED +
                "), data kept in " + dir + "; nemesis: " + String.join(", ", nemesisLog) + "\n" + failure, failure);
        }
        for (int id = 1; id <= 3; id++)
        {
            final Cli verify = Cli.run("verify", dir.resolve("node-" + id).toString());
            assertEquals(0, verify.exitCode(), "seed " + SEED + ", data kept in " + dir + ": " + verify);
        }
        IoUtil.delete(dir.toFile(), true);
    }

    /**
     * Injects faults until {@code endNs}, one at a time, every node running, every link whole and every node a
     * voter again after each; returns how many.
     */
    private int nemesis(
        final ProcessCluster cluster, final NetworkNamespaces network, final SplittableRandom random, final long endNs)
        throws Exception
    {
        int faults = 0;
        while (System.nanoTime() < endNs)
        {
            Thread.sleep(1_000 + random.nextInt(2_000));
            final int leader = leaderOrZero(cluster);
            final int target = leader != 0 && random.nextDouble() < 0.6 ? leader : 1 + random.nextInt(3);
            // without namespaces the partitions' share goes to the other faults
            final double roll = random.nextDouble() * (network == null ? 0.7 : 1.0);
            if (roll >= 0.7)
            {
                partition(network, random, leader == 0 ? target : leader);
            }
            else if (roll < 0.28)
            {
                cluster.kill(target);
                Thread.sleep(500 + random.nextInt(2_000));
                cluster.start(target);
                nemesisLog.add("kill " + target);
            }
            else if (roll < 0.52)
            {
                final int pauseMs = 500 + random.nextInt(3_000);
                cluster.signal(target, "STOP");
                Thread.sleep(pauseMs);
                cluster.signal(target, "CONT");
                nemesisLog.add("pause " + target + " " + pauseMs + " ms");
            }
            else if (roll < 0.6)
            {
                final Cli transfer = Cli.run("leader", "transfer", "--cluster", cluster.clusterFile().toString(),
                    "--timeout", "5");
                nemesisLog.add("transfer (exit " + transfer.exitCode() + ")");
            }
            else
            {
                removeAndAddBack(cluster, target);
            }
            faults++;
        }
        return faults;
    }

    /** Cuts links for 1 to 4 s, then heals: the leader off from both others, one pair, or one direction. */
    private void partition(final NetworkNamespaces network, final SplittableRandom random, final int leader)
        throws InterruptedException
    {
        final int other = leader % 3 + 1;
        final int third = other % 3 + 1;
        final double kind = random.nextDouble();
        final String what;
        if (kind < 0.4)
        {
            network.cutBothWays(leader, other);
            network.cutBothWays(leader, third);
            what = "isolate " + leader;
        }
        else if (kind < 0.7)
        {
            final int a = random.nextBoolean() ? leader : other;
            network.cutBothWays(a, third);
            what = "split " + a + "|" + third;
        }
        else
        {
            final int from = random.nextBoolean() ? leader : other;
            final int to = from == leader ? other : leader;
            network.cut(from, to);
            what = "cut " + from + "->" + to;
        }
        final int partitionMs = 1_000 + random.nextInt(3_000);
        Thread.sleep(partitionMs);
        network.heal();
        nemesisLog.add(what + " " + partitionMs + " ms");
    }

    /**
     * Removes node {@code id} from the configuration (the leader hands over first if it is the one) and adds it
     * back as a voter, which it becomes once it has caught up.
     */
    private void removeAndAddBack(final ProcessCluster cluster, final int id) throws InterruptedException
    {
        final String file = cluster.clusterFile().toString();
        final Cli removed = Cli.run("member", "remove", "--cluster", file, "--id", Integer.toString(id), "--timeout",
            "10");
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Cli added = null;
        while (System.nanoTime() < deadlineNs)
        {
            if (isVoter(cluster, id))
            {
                nemesisLog.add("remove " + id + " (exit " + removed.exitCode() + ") and add back");
                return;
            }
            added = Cli.run("member", "add", "--cluster", file, "--id", Integer.toString(id), "--voter",
                "--timeout", "10");
            if (added.toString().contains("already a member"))
            {
                added = Cli.run("member", "promote", "--cluster", file, "--id", Integer.toString(id), "--timeout",
                    "10"); // a learner whose promotion did not finish in time
            }
            if (added.exitCode() != 0)
            {
                Thread.sleep(500);
            }
        }
        throw new AssertionError("node " + id + " could not be added back: " + added);
    }

    private static boolean isVoter(final ProcessCluster cluster, final int id)
    {
        final Cli members = Cli.run("member", "list", "--cluster", cluster.clusterFile().toString(), "--json");
        final String json = members.lastLine();
        final int start = json.indexOf("\"voters\":[");
        final int end = json.indexOf(']', start);
        return members.exitCode() == 0 && start >= 0 &&
            List.of(json.substring(start + 10, end).split(",")).contains(Integer.toString(id));
    }

    private static int leaderOrZero(final ProcessCluster cluster)
    {
        return cluster.statuses().stream().filter(NodeStatus::isLeader).mapToInt(NodeStatus::id).findFirst()
            .orElse(0);
    }

    /** One producer thread: offers at a steady rate while the run lasts, then waits for what is in flight. */
    private void produce(final ProcessCluster cluster, final String name)
    {
        final Map<Long, Long> invokedNs = new HashMap<>();
        final ProducerListener listener = new ProducerListener()
        {
            @Override
            public void onCommitted(final long sequence, final long index, final long term)
            {
                final long nowNs = System.nanoTime();
                longestWithoutAckNs.accumulateAndGet(nowNs - lastAckNs.getAndSet(nowNs), Math::max);
                history.add(new Operation(name, sequence, invokedNs.remove(sequence), index, nowNs, Outcome.OK));
            }

            @Override
            public void onFailed(final long sequence, final boolean maybeCommitted, final Failure reason)
            {
                history.add(new Operation(name, sequence, invokedNs.remove(sequence), 0, System.nanoTime(),
                    maybeCommitted ? Outcome.INFO : Outcome.FAIL));
            }
        };
        final UnsafeBuffer entry = new UnsafeBuffer(new byte[100]);
        try (Producer producer = Producer.open(cluster.config(), null, name, 64, listener, TIMEOUT_NS))
        {
            final long intervalNs = TimeUnit.SECONDS.toNanos(1) / RATE_PER_PRODUCER;
            long nextNs = System.nanoTime();
            long sequence = 0;
            while (running.get() && !producer.isClosed())
            {
                final int work = producer.poll();
                final long nowNs = System.nanoTime();
                if (work == 0 && nowNs < nextNs)
                {
                    LockSupport.parkNanos(50_000); // two cores for three nodes and three producers: do not spin
                    continue;
                }
                if (nowNs >= nextNs)
                {
                    entry.putStringWithoutLengthAscii(0, name + "-" + (sequence + 1));
                    invokedNs.put(sequence + 1, nowNs);
                    final long offered = producer.offer(entry, 0, entry.capacity());
                    if (offered > 0)
                    {
                        sequence = offered;
                        nextNs += intervalNs;
                    }
                    else
                    {
                        invokedNs.remove(sequence + 1);
                    }
                }
            }
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (producer.inFlight() > 0 && !producer.isClosed() && System.nanoTime() < deadlineNs)
            {
                producer.poll();
            }
        }
    }

    /** Appends one entry once every node runs again; returns when it was acknowledged. */
    private static long commitOneAfterHealing(final ProcessCluster cluster)
    {
        final long[] acknowledgedNs = new long[1];
        try (Producer producer = Producer.open(cluster.config(), null, "healed", 1, new ProducerListener()
        {
            @Override
            public void onCommitted(final long sequence, final long index, final long term)
            {
                acknowledgedNs[0] = System.nanoTime();
            }

            @Override
            public void onFailed(final long sequence, final boolean maybeCommitted, final Failure reason)
            {
                fail("after healing: " + reason);
            }
        }, TIMEOUT_NS))
        {
            final UnsafeBuffer entry = new UnsafeBuffer("healed-1".getBytes(StandardCharsets.US_ASCII));
            producer.offer(entry, 0, entry.capacity());
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (acknowledgedNs[0] == 0 && System.nanoTime() < deadlineNs)
            {
                producer.poll();
            }
        }
        assertTrue(acknowledgedNs[0] > 0, "nothing committed after healing");
        return acknowledgedNs[0];
    }

    /** Node {@code id}'s committed producer entries up to {@code commitIndex}: index to "producer:sequence". */
    private static Map<Long, String> readLog(final ProcessCluster cluster, final int id, final long commitIndex)
    {
        final Map<Long, String> log = new HashMap<>();
        try (Consumer consumer = Consumer.open(cluster.config(), null, id, Consumer.FIRST, false, 4096,
            entry ->
            {
                if (entry.type() == EntryType.NORMAL)
                {
                    log.put(entry.index(), entry.producer() + ":" + entry.sequence());
                }
            }).pinned())
        {
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (consumer.lastScanned() < commitIndex && System.nanoTime() < deadlineNs)
            {
                consumer.poll();
            }
            assertTrue(consumer.lastScanned() >= commitIndex, "node " + id + " read to " + consumer.lastScanned());
        }
        return log;
    }

    /** Checks the history against the logs; returns how many acknowledged entries were checked. */
    private long check(final List<Map<Long, String>> logs)
    {
        final Map<Long, String> log = logs.get(0);
        for (int i = 1; i < logs.size(); i++)
        {
            assertEquals(log, logs.get(i), "node " + (i + 1) + " holds another log than node 1");
        }
        final Map<String, Long> indexOf = new HashMap<>();
        for (final Map.Entry<Long, String> entry : log.entrySet())
        {
            final Long twice = indexOf.put(entry.getValue(), entry.getKey());
            assertTrue(twice == null, entry.getValue() + " is in the log twice: at " + twice + " and " +
                entry.getKey());
        }
        final List<Operation> acknowledged = new ArrayList<>();
        for (final Operation operation : history)
        {
            final String key = operation.producer() + ":" + operation.sequence();
            switch (operation.outcome())
            {
                case OK ->
                {
                    assertEquals(key, log.get(operation.index()), "acknowledged at " + operation.index());
                    acknowledged.add(operation);
                }
                case FAIL -> assertTrue(!indexOf.containsKey(key), key + " failed but is in the log");
                case INFO ->
                {
                    // unknown outcome: in the log or not, either is right
                }
            }
        }
        // each producer's entries in sequence order
        final Map<String, long[]> lastOf = new HashMap<>();
        log.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry ->
        {
            final String[] parts = entry.getValue().split(":");
            final long[] last = lastOf.computeIfAbsent(parts[0], ignored -> new long[1]);
            final long sequence = Long.parseLong(parts[1]);
            assertTrue(sequence > last[0], parts[0] + " sequence " + sequence + " after " + last[0]);
            last[0] = sequence;
        });
        // real-time order: acknowledged before another was offered means earlier in the log
        acknowledged.sort((a, b) -> Long.compare(a.completedNs(), b.completedNs()));
        final List<Operation> byInvoke = new ArrayList<>(acknowledged);
        byInvoke.sort((a, b) -> Long.compare(a.invokedNs(), b.invokedNs()));
        long highestCompleted = 0;
        int next = 0;
        for (final Operation later : byInvoke)
        {
            while (next < acknowledged.size() && acknowledged.get(next).completedNs() < later.invokedNs())
            {
                highestCompleted = Math.max(highestCompleted, acknowledged.get(next++).index());
            }
            assertTrue(later.index() > highestCompleted || highestCompleted == 0,
                later.producer() + ":" + later.sequence() + " offered after index " + highestCompleted +
                    " was acknowledged, yet committed at " + later.index());
        }
        return acknowledged.size();
    }
}
