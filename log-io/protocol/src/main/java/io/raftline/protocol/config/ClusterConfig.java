package io.raftline.protocol.config;

import io.raftline.protocol.security.ClusterKeys;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.raftline.core.RaftOptions;
import io.raftline.protocol.config.Durability;

/**
 * The cluster file (a Java properties file, UTF-8): the cluster id, every node's UDP endpoint and data directory,
 * and the optional tuning keys below. {@link #parse} validates everything and reports the first bad key; unknown
 * keys are errors too, so that a misspelt setting is not silently ignored.
 */
public final class ClusterConfig
{
    public static final String CLUSTER_ID = "cluster.id";
    public static final String ELECTION_TIMEOUT_MS = "raft.election.timeout.ms";
    public static final String HEARTBEAT_INTERVAL_MS = "raft.heartbeat.interval.ms";
    public static final String TICK_MS = "raft.tick.ms";
    public static final String BATCH_BYTES = "replication.batch.bytes";
    public static final String INFLIGHT_APPENDS = "replication.inflight.appends";
    public static final String INFLIGHT_BYTES = "replication.inflight.bytes";
    public static final String DURABILITY = "storage.durability";
    public static final String IDLE_STRATEGY = "node.idle.strategy";
    public static final String AERON_DIR = "aeron.dir";
    public static final String AERON_DRIVER = "aeron.driver";
    public static final String AERON_MTU = "aeron.mtu.bytes";
    public static final String AERON_SOCKET_BUFFER = "aeron.socket.buffer.bytes";
    public static final String AERON_TERM_LENGTH = "aeron.term.length.bytes";
    public static final String ENTRY_MAX_BYTES = "client.entry.max.bytes";
    public static final String SESSION_TIMEOUT_MS = "session.timeout.ms";
    public static final String SESSION_MAX = "session.max";
    public static final String SESSION_MEMORY_MB = "session.memory.mb";
    public static final String READ_LEASE = "raft.read.lease";
    public static final String IDLE_SPINS = "node.idle.spins";
    public static final String IDLE_YIELDS = "node.idle.yields";
    public static final String IDLE_MAX_PARK_US = "node.idle.max.park.us";
    public static final String IDLE_SOCKET_WAIT_MS = "node.idle.socket.wait.ms";
    public static final String SNAPSHOT_INTERVAL_ENTRIES = "snapshot.interval.entries";
    public static final String SNAPSHOT_INTERVAL_BYTES = "snapshot.interval.bytes";
    public static final String LOG_RETAIN_ENTRIES = "log.retain.entries";
    public static final String STATE_MACHINE = "state.machine";
    public static final String SEGMENT_BYTES = "storage.segment.bytes";
    public static final String RESERVE_MB = "storage.reserve.mb";
    public static final String CLUSTER_KEY_FILE = "cluster.key.file";
    public static final String AUTHENTICATION = "security.authentication";
    public static final String CLIENT_CREDENTIALS_FILE = "client.credentials.file";

    /** The length of the core's tick unless the file says otherwise; the core's defaults are in these ticks. */
    public static final int DEFAULT_TICK_MS = 10;

    private static final Set<String> TUNING_KEYS = Set.of(ELECTION_TIMEOUT_MS, HEARTBEAT_INTERVAL_MS, TICK_MS,
        BATCH_BYTES, INFLIGHT_APPENDS, INFLIGHT_BYTES, DURABILITY, IDLE_STRATEGY, AERON_DIR, AERON_DRIVER,
        AERON_MTU, AERON_SOCKET_BUFFER, AERON_TERM_LENGTH, ENTRY_MAX_BYTES, SESSION_TIMEOUT_MS, SESSION_MAX, SESSION_MEMORY_MB, READ_LEASE, IDLE_SPINS, IDLE_YIELDS,
        IDLE_MAX_PARK_US, IDLE_SOCKET_WAIT_MS, SNAPSHOT_INTERVAL_ENTRIES, SNAPSHOT_INTERVAL_BYTES, LOG_RETAIN_ENTRIES, STATE_MACHINE, SEGMENT_BYTES, RESERVE_MB,
        CLUSTER_KEY_FILE, AUTHENTICATION, CLIENT_CREDENTIALS_FILE);
    private static final Pattern NODE_KEY = Pattern.compile("node\\.(\\d+)(\\.dir)?");
    private static final Pattern ENDPOINT = Pattern.compile("([^:\\s]+):(\\d{1,5})");

    /** One member: its id, UDP endpoint and data directory. */
    public record Member(int id, String host, int port, Path dataDir)
    {
        boolean onLoopback()
        {
            try
            {
                return InetAddress.getByName(host).isLoopbackAddress();
            }
            catch (final UnknownHostException ex)
            {
                return false;
            }
        }

        public String endpoint()
        {
            return host + ":" + port;
        }

        public InetSocketAddress socketAddress()
        {
            return new InetSocketAddress(host, port);
        }
    }

    private final String clusterId;
    private final Map<Integer, Member> members;
    private final long electionTimeoutNs;
    private final long heartbeatIntervalNs;
    private final long tickNs;
    private final int batchBytes;
    private final int inflightAppends;
    private final long inflightBytes;
    private final Durability durability;
    private final String idleStrategy;
    private final String aeronDir;
    private final boolean embeddedDriver;
    private final int mtuBytes;
    private final int socketBufferBytes;
    private final int termLengthBytes;
    private final int maxEntryBytes;
    private final long sessionTimeoutNs;
    private final int maxSessions;
    private final int sessionMemoryMb;
    private final boolean readLease;
    private final int idleSpins;
    private final int idleYields;
    private final int idleMaxParkUs;
    private final int idleSocketWaitMs;
    private final long snapshotIntervalEntries;
    private final long snapshotIntervalBytes;
    private final long logRetainEntries;
    private final String stateMachine;
    private final long segmentBytes;
    private final int reserveMb;
    private final boolean authentication;
    private final Path clusterKeyFile;
    private final Path clientCredentialsFile;

    private static boolean allOnLoopback(final Map<Integer, Member> members)
    {
        return members.values().stream().allMatch(Member::onLoopback);
    }

    private ClusterConfig(final Properties properties, final Path folder)
    {
        for (final String key : properties.stringPropertyNames())
        {
            if (!key.equals(CLUSTER_ID) && !TUNING_KEYS.contains(key) && !NODE_KEY.matcher(key).matches())
            {
                throw new ConfigException(key, "unknown key (see the README for the keys a cluster file may hold)");
            }
        }
        clusterId = required(properties, CLUSTER_ID);
        members = Collections.unmodifiableMap(parseMembers(properties, folder));
        tickNs = TimeUnit.MILLISECONDS.toNanos(intValue(properties, TICK_MS, DEFAULT_TICK_MS, 1, 1000));
        heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(intValue(properties, HEARTBEAT_INTERVAL_MS,
            RaftOptions.DEFAULT_HEARTBEAT_INTERVAL_TICKS * DEFAULT_TICK_MS, 1, 60_000));
        electionTimeoutNs = TimeUnit.MILLISECONDS.toNanos(intValue(properties, ELECTION_TIMEOUT_MS,
            RaftOptions.DEFAULT_ELECTION_TIMEOUT_TICKS * DEFAULT_TICK_MS, 2, 600_000));
        if (heartbeatIntervalNs < tickNs || electionTimeoutNs < 2 * tickNs)
        {
            throw new ConfigException(TICK_MS, "must be at most the heartbeat interval and half the election timeout");
        }
        if (heartbeatIntervalNs >= electionTimeoutNs)
        {
            throw new ConfigException(HEARTBEAT_INTERVAL_MS, "must be below " + ELECTION_TIMEOUT_MS);
        }
        batchBytes = intValue(properties, BATCH_BYTES, RaftOptions.DEFAULT_MAX_BATCH_BYTES, 1024, 16 * 1024 * 1024);
        inflightAppends = intValue(properties, INFLIGHT_APPENDS, RaftOptions.DEFAULT_MAX_INFLIGHT_APPENDS, 1, 65_536);
        inflightBytes = intValue(properties, INFLIGHT_BYTES, RaftOptions.DEFAULT_MAX_INFLIGHT_BYTES, 1024,
            Integer.MAX_VALUE);
        durability = durability(properties);
        idleStrategy = oneOf(properties, IDLE_STRATEGY, "backoff", "backoff", "sleeping", "yielding", "busy-spin");
        aeronDir = properties.getProperty(AERON_DIR, "").trim();
        embeddedDriver = oneOf(properties, AERON_DRIVER, "embedded", "embedded", "external").equals("embedded");
        if (!embeddedDriver && aeronDir.isEmpty())
        {
            throw new ConfigException(AERON_DIR, "an external driver needs its directory");
        }
        // loopback carries 64 KiB datagrams whole, and bigger frames mean fewer datagrams per replicated batch
        mtuBytes = intValue(properties, AERON_MTU, allOnLoopback(members) ? 65504 : 8192, 1408, 65504);
        if (mtuBytes % 32 != 0)
        {
            throw new ConfigException(AERON_MTU, "must be a multiple of 32");
        }
        socketBufferBytes = intValue(properties, AERON_SOCKET_BUFFER, 2 * 1024 * 1024, 65536, 64 * 1024 * 1024);
        termLengthBytes = intValue(properties, AERON_TERM_LENGTH, 16 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024);
        if (Integer.bitCount(termLengthBytes) != 1)
        {
            throw new ConfigException(AERON_TERM_LENGTH, "must be a power of two");
        }
        if (batchBytes > termLengthBytes / 8)
        {
            throw new ConfigException(BATCH_BYTES, "must be at most " + AERON_TERM_LENGTH + " / 8 (" +
                termLengthBytes / 8 + ")");
        }
        maxEntryBytes = intValue(properties, ENTRY_MAX_BYTES, 1024 * 1024, 1, 4 * 1024 * 1024);
        if (maxEntryBytes > termLengthBytes / 8 - 1024)
        {
            throw new ConfigException(ENTRY_MAX_BYTES, "must be below " + AERON_TERM_LENGTH + " / 8 less 1 KiB");
        }
        sessionTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
            intValue(properties, SESSION_TIMEOUT_MS, 300_000, 1_000, Integer.MAX_VALUE));
        maxSessions = intValue(properties, SESSION_MAX, 4096, 1, 1_000_000);
        sessionMemoryMb = intValue(properties, SESSION_MEMORY_MB, 64, 1, 1 << 20);
        readLease = oneOf(properties, READ_LEASE, "false", "false", "true").equals("true");
        idleSpins = intValue(properties, IDLE_SPINS, 0, 0, 1_000_000);
        idleYields = intValue(properties, IDLE_YIELDS, 8, 0, 1_000_000);
        idleMaxParkUs = intValue(properties, IDLE_MAX_PARK_US, 100, 1, 1_000_000);
        idleSocketWaitMs = intValue(properties, IDLE_SOCKET_WAIT_MS, 10, 0, 3_600_000);
        snapshotIntervalEntries = longValue(properties, SNAPSHOT_INTERVAL_ENTRIES, 1_000_000, 0, Long.MAX_VALUE);
        snapshotIntervalBytes = longValue(properties, SNAPSHOT_INTERVAL_BYTES, 0, 0, Long.MAX_VALUE);
        logRetainEntries = longValue(properties, LOG_RETAIN_ENTRIES, 100_000, 0, Long.MAX_VALUE);
        stateMachine = properties.getProperty(STATE_MACHINE, "").trim();
        segmentBytes = longValue(properties, SEGMENT_BYTES, 64L << 20, 64 << 10, 1L << 40);
        reserveMb = intValue(properties, RESERVE_MB, 64, 16, 1 << 20);
        authentication = oneOf(properties, AUTHENTICATION, "on", "on", "off").equals("on");
        final String keyFile = properties.getProperty(CLUSTER_KEY_FILE, "").trim();
        clusterKeyFile = keyFile.isEmpty() ? null : folder.resolve(keyFile);
        final String credentials = properties.getProperty(CLIENT_CREDENTIALS_FILE, "").trim();
        clientCredentialsFile = credentials.isEmpty() ? null : folder.resolve(credentials);
        if (!stateMachine.isEmpty() && !stateMachine.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*"))
        {
            throw new ConfigException(STATE_MACHINE, "must be a class name: " + stateMachine);
        }
    }

    /** Reads and validates a cluster file. */
    public static ClusterConfig load(final Path file)
    {
        final Properties properties = new Properties();
        try (Reader reader = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final java.nio.file.NoSuchFileException e)
        {
            throw new ConfigException(file.toString(), "cannot read the cluster file: no such file");
        }
        catch (final java.nio.file.AccessDeniedException e)
        {
            throw new ConfigException(file.toString(), "cannot read the cluster file: permission denied");
        }
        catch (final IOException | IllegalArgumentException e)
        {
            throw new ConfigException(file.toString(), "cannot read the cluster file: " + e.getMessage());
        }
        final Path parent = file.toAbsolutePath().getParent();
        return parse(properties, parent);
    }

    /** Validates properties; node directories default to {@code <folder>/node-<id>}. */
    public static ClusterConfig parse(final Properties properties, final Path folder)
    {
        return new ClusterConfig(properties, folder);
    }

    private static Map<Integer, Member> parseMembers(final Properties properties, final Path folder)
    {
        final Map<Integer, Member> members = new TreeMap<>();
        for (final String key : properties.stringPropertyNames())
        {
            final Matcher matcher = NODE_KEY.matcher(key);
            if (!matcher.matches() || matcher.group(2) != null)
            {
                continue;
            }
            final int id = nodeId(key, matcher.group(1));
            final String value = properties.getProperty(key).trim();
            final Matcher endpoint = ENDPOINT.matcher(value);
            if (!endpoint.matches())
            {
                throw new ConfigException(key, "expected HOST:PORT, got '" + value + "'");
            }
            final int port = Integer.parseInt(endpoint.group(2));
            if (port < 1 || port > 65535)
            {
                throw new ConfigException(key, "port must be in 1..65535, got " + port);
            }
            final String dir = properties.getProperty(key + ".dir");
            final Path dataDir = dir == null || dir.isBlank() ? folder.resolve("node-" + id) : Path.of(dir.trim());
            members.put(id, new Member(id, endpoint.group(1), port, dataDir));
        }
        for (final String key : properties.stringPropertyNames())
        {
            final Matcher matcher = NODE_KEY.matcher(key);
            if (matcher.matches() && matcher.group(2) != null && !members.containsKey(nodeId(key, matcher.group(1))))
            {
                throw new ConfigException(key, "no endpoint node." + matcher.group(1) + " for this directory");
            }
        }
        if (members.isEmpty())
        {
            throw new ConfigException("node.1", "a cluster needs at least one node (node.<id>=HOST:PORT)");
        }
        final Set<String> endpoints = new java.util.HashSet<>();
        for (final Member member : members.values())
        {
            if (!endpoints.add(member.endpoint()))
            {
                throw new ConfigException("node." + member.id(), "endpoint " + member.endpoint() + " is used twice");
            }
        }
        return members;
    }

    private static int nodeId(final String key, final String digits)
    {
        try
        {
            final int id = Integer.parseInt(digits);
            if (id < 1)
            {
                throw new ConfigException(key, "node ids start at 1");
            }
            return id;
        }
        catch (final NumberFormatException e)
        {
            throw new ConfigException(key, "node id too large");
        }
    }

    private static String required(final Properties properties, final String key)
    {
        final String value = properties.getProperty(key);
        if (value == null || value.isBlank())
        {
            throw new ConfigException(key, "required");
        }
        return value.trim();
    }

    private static long longValue(
        final Properties properties, final String key, final long defaultValue, final long min, final long max)
    {
        final String text = properties.getProperty(key);
        if (text == null)
        {
            return defaultValue;
        }
        final long value;
        try
        {
            value = Long.parseLong(text.trim());
        }
        catch (final NumberFormatException e)
        {
            throw new ConfigException(key, "expected a whole number, got '" + text.trim() + "'");
        }
        if (value < min || value > max)
        {
            throw new ConfigException(key, "must be in " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    private static int intValue(
        final Properties properties, final String key, final int defaultValue, final int min, final int max)
    {
        return (int)longValue(properties, key, defaultValue, min, max);
    }

    private static String oneOf(
        final Properties properties, final String key, final String defaultValue, final String... allowed)
    {
        final String value = properties.getProperty(key, defaultValue).trim();
        for (final String candidate : allowed)
        {
            if (candidate.equals(value))
            {
                return value;
            }
        }
        throw new ConfigException(key, "must be one of " + String.join(", ", allowed) + ", got '" + value + "'");
    }

    private static Durability durability(final Properties properties)
    {
        final String value = oneOf(properties, DURABILITY, "page-cache", "page-cache", "fsync");
        return value.equals("fsync") ? Durability.FSYNC : Durability.PAGE_CACHE;
    }

    public String clusterId()
    {
        return clusterId;
    }

    public Map<Integer, Member> members()
    {
        return members;
    }

    public Member member(final int id)
    {
        final Member member = members.get(id);
        if (member == null)
        {
            throw new ConfigException("node." + id, "no such node in the cluster file (nodes: " +
                members.keySet() + ")");
        }
        return member;
    }

    public int[] memberIds()
    {
        return members.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    public long electionTimeoutNs()
    {
        return electionTimeoutNs;
    }

    public long heartbeatIntervalNs()
    {
        return heartbeatIntervalNs;
    }

    public long tickNs()
    {
        return tickNs;
    }

    /** The election timeout in ticks, as the consensus core counts it. */
    public int electionTimeoutTicks()
    {
        return (int)(electionTimeoutNs / tickNs);
    }

    public int heartbeatIntervalTicks()
    {
        return (int)Math.max(1, heartbeatIntervalNs / tickNs);
    }

    public int batchBytes()
    {
        return batchBytes;
    }

    public int inflightAppends()
    {
        return inflightAppends;
    }

    public long inflightBytes()
    {
        return inflightBytes;
    }

    public Durability durability()
    {
        return durability;
    }

    public String idleStrategy()
    {
        return idleStrategy;
    }

    /** The Aeron directory: configured, or empty for the embedded driver's own default. */
    public String aeronDir()
    {
        return aeronDir;
    }

    public boolean embeddedDriver()
    {
        return embeddedDriver;
    }

    public int mtuBytes()
    {
        return mtuBytes;
    }

    public int socketBufferBytes()
    {
        return socketBufferBytes;
    }

    /** Back-off idle: duty cycles spun before yielding. */
    public int idleSpins()
    {
        return idleSpins;
    }

    /** Back-off idle: yields before parking. */
    public int idleYields()
    {
        return idleYields;
    }

    /** Back-off idle: the longest park, in microseconds (parks double from 1 us up to it). */
    public int idleMaxParkUs()
    {
        return idleMaxParkUs;
    }

    /**
     * Back-off idle: milliseconds without work after which a node with an embedded driver waits in the kernel for a
     * datagram (at most 1 ms at a time) instead of parking; 0 never does.
     */
    public int idleSocketWaitMs()
    {
        return idleSocketWaitMs;
    }

    /** Whether the leader serves ReadIndex from its lease instead of a heartbeat round (thesis §6.4.1). */
    public boolean readLease()
    {
        return readLease;
    }

    /** The largest payload a producer may append. */
    public int maxEntryBytes()
    {
        return maxEntryBytes;
    }

    /** A session that appends nothing for this long is closed by the leader. */
    public long sessionTimeoutNs()
    {
        return sessionTimeoutNs;
    }

    /** Sessions held at most; opening one more closes the least recently active. */
    public int maxSessions()
    {
        return maxSessions;
    }

    /**
     * What every node spends on remembering sessions' recent sequences (16 bytes each, a producer's window of them),
     * in entries: opening a session beyond it closes the least recently active.
     */
    public long sessionMemorySlots()
    {
        return ((long)sessionMemoryMb << 20) / 16;
    }

    /** A snapshot when the applied index reaches a multiple of this (0: only on demand). */
    public long snapshotIntervalEntries()
    {
        return snapshotIntervalEntries;
    }

    /** A snapshot once this many payload bytes were applied since the last one (0: no such rule). */
    public long snapshotIntervalBytes()
    {
        return snapshotIntervalBytes;
    }

    /** Entries kept below the newest snapshot for followers a little behind (whole segments go). */
    public long logRetainEntries()
    {
        return logRetainEntries;
    }

    /** The size at which a log segment rolls (compaction deletes whole segments). */
    public long segmentBytes()
    {
        return segmentBytes;
    }

    /** Free space a node keeps on the disk of its data directory: below it, it takes no new entries. */
    public long reserveBytes()
    {
        return (long)reserveMb << 20;
    }

    /** The class of the application's state machine, or empty for none. */
    /** Whether frames between nodes are signed and checked ({@code security.authentication}, on by default). */
    public boolean authentication()
    {
        return authentication;
    }

    /** The key file ({@code cluster.key.file}, relative to the cluster file's folder), or null. */
    public Path clusterKeyFile()
    {
        return clusterKeyFile;
    }

    /** The credential a client of this cluster file proves ({@code client.credentials.file}), or null. */
    public Path clientCredentialsFile()
    {
        return clientCredentialsFile;
    }

    /**
     * The keys a node signs and checks its frames to and from other nodes with, or null when authentication is off.
     *
     * @throws ConfigException when authentication is on and the key file is not named, not owner-only or not valid
     */
    public ClusterKeys loadClusterKeys()
    {
        if (!authentication)
        {
            return null;
        }
        if (clusterKeyFile == null)
        {
            throw new ConfigException(CLUSTER_KEY_FILE, "is not set: nodes authenticate their frames unless the " +
                "cluster file says " + AUTHENTICATION + "=off (raftline keys create --dir DIR makes a key)");
        }
        try
        {
            return ClusterKeys.load(clusterKeyFile);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(CLUSTER_KEY_FILE, ex.getMessage());
        }
    }

    public String stateMachine()
    {
        return stateMachine;
    }

    public int termLengthBytes()
    {
        return termLengthBytes;
    }
}
