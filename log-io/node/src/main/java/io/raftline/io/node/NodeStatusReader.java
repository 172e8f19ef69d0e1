package io.raftline.io.node;

import io.aeron.CncFileDescriptor;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.AeronRuntime;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads a node's {@link NodeCounter}s from its Aeron directory (the CnC file), read-only: the node is not
 * disturbed. Works for nodes on this host.
 */
public final class NodeStatusReader
{
    /** A node whose agent has not updated its heartbeat for this long is reported unreachable. */
    public static final long STALE_AFTER_NS = TimeUnit.MILLISECONDS.toNanos(750);

    private NodeStatusReader()
    {
    }

    public static NodeStatus read(final ClusterConfig config, final int nodeId)
    {
        return read(config, nodeId, config.member(nodeId).port());
    }

    /** A member the cluster file may not list, found by the port it listens on (its endpoint in the log). */
    public static NodeStatus read(final ClusterConfig config, final int nodeId, final int port)
    {
        final String directory = config.aeronDir().isEmpty() ?
            AeronRuntime.defaultDirectory(config.clusterId(), nodeId, port) : config.aeronDir();
        final File cnc = new File(directory, CncFileDescriptor.CNC_FILE);
        if (!cnc.isFile() || cnc.length() < CncFileDescriptor.END_OF_METADATA_OFFSET)
        {
            return NodeStatus.unreachable(nodeId);
        }
        MappedByteBuffer mapped = null;
        try
        {
            mapped = IoUtil.mapExistingFile(cnc, "cnc");
            final DirectBuffer metaData = CncFileDescriptor.createMetaDataBuffer(mapped);
            if (metaData.getInt(CncFileDescriptor.cncVersionOffset(0)) == 0 ||
                !CncFileDescriptor.isCncFileLengthSufficient(metaData, mapped.capacity()))
            {
                return NodeStatus.unreachable(nodeId);
            }
            final CountersReader reader = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(mapped, metaData),
                CncFileDescriptor.createCountersValuesBuffer(mapped, metaData));
            return collect(reader, nodeId);
        }
        catch (final RuntimeException ex)
        {
            return NodeStatus.unreachable(nodeId); // the node is starting or stopping: its file is not whole
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    private static NodeStatus collect(final CountersReader reader, final int nodeId)
    {
        final Map<NodeCounter, Long> values = new EnumMap<>(NodeCounter.class);
        final Map<Integer, Long> matchIndex = new TreeMap<>();
        reader.forEach((counterId, typeId, key, label) ->
        {
            final NodeCounter counter = NodeCounter.ofTypeId(typeId);
            if (counter != null && key.getInt(0) == nodeId)
            {
                final long value = reader.getCounterValue(counterId);
                if (counter == NodeCounter.MATCH_INDEX)
                {
                    matchIndex.put(key.getInt(4), value);
                }
                else
                {
                    values.put(counter, value);
                }
            }
        });
        final Long heartbeatNs = values.get(NodeCounter.HEARTBEAT_NS);
        if (heartbeatNs == null || System.nanoTime() - heartbeatNs > STALE_AFTER_NS)
        {
            return NodeStatus.unreachable(nodeId);
        }
        return new NodeStatus(nodeId, true, values, matchIndex);
    }
}
