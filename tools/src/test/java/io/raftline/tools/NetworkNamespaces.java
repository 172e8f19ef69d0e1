package io.raftline.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One network namespace per node, joined by a bridge that this machine's own namespace is on too (clients reach
 * every node), so that links between nodes can be cut and healed one direction at a time. A cut link loses its
 * packets silently: the sender's neighbour entry for the receiver points at a hardware address nobody has, as a
 * broken switch port would. Needs root and iproute2 (CI runs as root and installs it).
 */
final class NetworkNamespaces implements AutoCloseable
{
    private static final String NOWHERE = "02:00:00:00:00:01";

    private final String prefix;
    private final String subnet;
    private final int nodes;
    private final Set<Long> cut = new HashSet<>();

    private NetworkNamespaces(final String prefix, final String subnet, final int nodes)
    {
        this.prefix = prefix;
        this.subnet = subnet;
        this.nodes = nodes;
    }

    /**
     * Namespaces {@code rl<k>-1..rl<k>-nodes} on 10.231.k.0/24 (the bridge, this namespace, at .254), k from this
     * process's id so that runs side by side keep apart, made afresh (leftovers of an earlier run of that k are
     * removed); empty where this machine cannot make them.
     */
    static Optional<NetworkNamespaces> create(final int nodes)
    {
        if (!"root".equals(System.getProperty("user.name")))
        {
            return Optional.empty();
        }
        final long k = ProcessHandle.current().pid() % 250;
        final NetworkNamespaces network = new NetworkNamespaces("rl" + k + "-", "10.231." + k, nodes);
        network.removeLeftovers();
        try
        {
            network.ip("link", "add", network.bridge(), "type", "bridge");
            network.ip("addr", "add", network.subnet + ".254/24", "dev", network.bridge());
            network.ip("link", "set", network.bridge(), "up");
            for (int id = 1; id <= nodes; id++)
            {
                final String namespace = network.namespace(id);
                network.ip("netns", "add", namespace);
                network.ip("link", "add", network.hostSide(id), "type", "veth", "peer", "name", network.nodeSide(id));
                network.ip("link", "set", network.nodeSide(id), "netns", namespace);
                network.ip("link", "set", network.hostSide(id), "master", network.bridge());
                network.ip("link", "set", network.hostSide(id), "up");
                network.ip("-n", namespace, "addr", "add", network.host(id) + "/24", "dev", network.nodeSide(id));
                network.ip("-n", namespace, "link", "set", network.nodeSide(id), "up");
                network.ip("-n", namespace, "link", "set", "lo", "up");
            }
            return Optional.of(network);
        }
        catch (final IllegalStateException unavailable)
        {
            network.close();
            return Optional.empty();
        }
    }

    /** Node {@code id}'s address, in its namespace. */
    String host(final int id)
    {
        return subnet + "." + id;
    }

    /** The command prefix that runs a program in node {@code id}'s namespace. */
    List<String> launcher(final int id)
    {
        return List.of("ip", "netns", "exec", namespace(id));
    }

    /** Packets from node {@code from} to node {@code to} are lost from now on (the other way is untouched). */
    void cut(final int from, final int to)
    {
        ip("-n", namespace(from), "neigh", "replace", host(to), "lladdr", NOWHERE, "dev", nodeSide(from), "nud",
            "permanent");
        cut.add(link(from, to));
    }

    /** Both ways between {@code a} and {@code b}. */
    void cutBothWays(final int a, final int b)
    {
        cut(a, b);
        cut(b, a);
    }

    /** Every link whole again. */
    void heal()
    {
        for (final long link : cut)
        {
            final int from = (int)(link >>> 32);
            ip("-n", namespace(from), "neigh", "del", host((int)link), "dev", nodeSide(from));
        }
        cut.clear();
    }

    @Override
    public void close()
    {
        removeLeftovers();
    }

    private void removeLeftovers()
    {
        for (int id = 1; id <= nodes; id++)
        {
            tryIp("netns", "del", namespace(id)); // takes its end of the pair, and so the pair, with it
            tryIp("link", "del", hostSide(id));
        }
        tryIp("link", "del", bridge());
    }

    private static long link(final int from, final int to)
    {
        return (long)from << 32 | to;
    }

    private String namespace(final int id)
    {
        return prefix + id;
    }

    private String bridge()
    {
        return prefix + "br";
    }

    private String hostSide(final int id)
    {
        return prefix + "h" + id;
    }

    private String nodeSide(final int id)
    {
        return prefix + "n" + id;
    }

    private void tryIp(final String... args)
    {
        try
        {
            ip(args);
        }
        catch (final IllegalStateException ignored)
        {
            // nothing to remove
        }
    }

    private void ip(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0)
            {
                throw new IllegalStateException(String.join(" ", command) + ": " + output.strip());
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(String.join(" ", command) + ": " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), ex);
        }
    }
}
