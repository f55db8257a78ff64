vcl 4.1;
# mizan's VCL: Varnish 7 with varnish-modules (xkey) in front of a Django project that
# serves mizan. See the docs, docs/guides/edge.md "Behind Varnish", for every switch.
#
# - Caches what the origin marks shareable (Cache-Control: public, with s-maxage): mizan's
#   public persisted operations and view-path pages. Nothing else, ever: private and
#   no-store responses, responses that set a cookie, redirects and errors go through.
# - One entry per canonical URL: the query string is sorted here, and any other
#   non-canonical spelling gets mizan's 308, which is not stored.
# - Indexes each stored response under its surrogate keys (the xkey header).
# - Purges by key when an origin response carries X-Mizan-Invalidate (a committed
#   mutation), before that response reaches the client; and on PURGE requests from
#   the addresses in mizan_purgers (mizan's Varnish purger). A client's own
#   X-Mizan-Invalidate is dropped on arrival: it can never purge anything.
# - Never keeps a response whose fetch was under way when a purge ran: xkey cannot purge
#   an object still being fetched, and its body may predate the write that purge was for.

import std;
import var;
import xkey;

# --- mizan:settings --- (python manage.py export_vcl rewrites this block)
backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may send PURGE requests.
acl mizan_purgers {
    "127.0.0.1";
    "::1";
}

# Invalidation headers towards browsers: kept (front ends and htmx-style pages read
# X-Mizan-Invalidate; X-Mizan-Purged says how many stored objects it dropped), or
# stripped with `unset resp.http.X-Mizan-Invalidate; unset resp.http.X-Mizan-Purged;`.
sub mizan_to_client {
}
# --- mizan:end ---

sub vcl_recv {
    # Only an origin response may report invalidations.
    unset req.http.X-Mizan-Invalidate;
    unset req.http.X-Mizan-Purged;
    unset req.http.X-Mizan-Fetched;
    if (req.method != "PURGE") {
        unset req.http.xkey-purge;
        unset req.http.xkey-softpurge;
    }

    if (req.method == "GET" || req.method == "HEAD" || req.method == "PURGE") {
        # ?b=2&a=1 and ?a=1&b=2 are one entry (and the spelling mizan calls canonical).
        set req.url = std.querysort(req.url);
    }

    if (req.method == "PURGE") {
        if (client.ip !~ mizan_purgers) {
            return (synth(403, "PURGE refused: " + client.ip + " is not in the VCL's acl " +
                "mizan_purgers. Add it: python manage.py export_vcl --purger " + client.ip));
        }
        call mizan_purging;
        if (req.http.xkey-purge) {
            set req.http.X-Mizan-Purged = xkey.purge(req.http.xkey-purge);
            return (synth(200, "Purged"));
        }
        if (req.http.xkey-softpurge) {
            set req.http.X-Mizan-Purged = xkey.softpurge(req.http.xkey-softpurge);
            return (synth(200, "Purged"));
        }
        return (purge);
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Looked up even with a session cookie or Authorization (unlike Varnish's built-in
    # rule): a public response is the same for everyone, and a private one is never
    # stored (vcl_backend_response), so each user's request reaches the origin.
    return (hash);
}

sub vcl_purge {
    return (synth(200, "Purged"));
}

# When the latest purge ran: this varnishd's clock, in milliseconds to the microsecond,
# counted from 2023-11-14 (VCL writes a REAL as text with 3 decimals, below 10^12).
sub mizan_purging {
    var.global_set("mizan_purged_at", (std.time2real(now, 0.0) - 1700000000) * 1000);
}

sub vcl_backend_fetch {
    # When this fetch began, to compare with the latest purge once its response is in.
    set bereq.http.X-Mizan-Fetched = (std.time2real(now, 0.0) - 1700000000) * 1000;
}

sub vcl_backend_response {
    unset beresp.http.X-Mizan-Purge-Keys;
    if (beresp.http.X-Mizan-Invalidate) {
        # Writes were committed: vcl_deliver purges what they changed. A response that
        # reports a write is never stored, so only this fetch can ever trigger it.
        call mizan_keys_reported;
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (bereq.uncacheable) {
        return (deliver);
    }
    if (beresp.http.Cache-Control !~ "(?i)(^|,)\s*public\s*(,|$)"
        || beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)"
        || beresp.http.Set-Cookie
        || beresp.http.Vary == "*") {
        # Remembered as uncacheable for a while, so requests for it are not queued
        # behind one another; a later public answer is stored again.
        set beresp.ttl = 60s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (std.real(bereq.http.X-Mizan-Fetched, 0.0) <= std.real(var.global_get("mizan_purged_at"), -1.0)) {
        # A purge ran while this was fetched: its body may predate the write that purge
        # was for, and the purge could not reach an object not yet stored. Not kept (and
        # not remembered as uncacheable: the next request fetches it afresh).
        set beresp.ttl = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # A key of its own, should a purge run between this check and its storing.
    set beresp.http.X-Mizan-Fetch = "mizan-fetch-" + bereq.xid;
    set beresp.http.xkey = beresp.http.xkey + " " + beresp.http.X-Mizan-Fetch;
    set beresp.http.X-Mizan-Fetched = bereq.http.X-Mizan-Fetched;
    return (deliver);
}

# X-Mizan-Invalidate (an RFC 8941 List: `user;user_id=5, notifications`) into the
# surrogate keys mizan puts on responses (`user;user_id=5 notifications`). Integers,
# booleans and strings of unreserved characters map exactly; an item holding any other
# string purges its whole context: more, never less.
sub mizan_keys_reported {
    set beresp.http.X-Mizan-Purge-Keys = beresp.http.X-Mizan-Invalidate;
    set beresp.http.X-Mizan-Purge-Keys = regsuball(beresp.http.X-Mizan-Purge-Keys, "=\?1", "=true");
    set beresp.http.X-Mizan-Purge-Keys = regsuball(beresp.http.X-Mizan-Purge-Keys, "=\?0", "=false");
    set beresp.http.X-Mizan-Purge-Keys = regsuball(beresp.http.X-Mizan-Purge-Keys, {"="([A-Za-z0-9._~-]*)""}, "=\1");
    set beresp.http.X-Mizan-Purge-Keys = regsuball(beresp.http.X-Mizan-Purge-Keys, {"%?"(\\.|[^"\\])*""}, "!");
    set beresp.http.X-Mizan-Purge-Keys = regsuball(beresp.http.X-Mizan-Purge-Keys, "(^|,)\s*([^;,!\s]+)[^,!]*![^,]*", "\1\2");
    set beresp.http.X-Mizan-Purge-Keys = regsuball(beresp.http.X-Mizan-Purge-Keys, "\s*,\s*", " ");
}

sub vcl_deliver {
    # Here, not in vcl_backend_response (xkey purges from client context only), and
    # before the first byte of the response leaves: the client that wrote can never
    # read its old data back through this cache.
    if (obj.uncacheable && resp.http.X-Mizan-Purge-Keys) {
        call mizan_purging;
        set resp.http.X-Mizan-Purged = xkey.purge(resp.http.X-Mizan-Purge-Keys);
    }
    unset resp.http.X-Mizan-Purge-Keys;
    if (!obj.uncacheable && obj.hits == 0 && resp.http.X-Mizan-Fetch
        && std.real(resp.http.X-Mizan-Fetched, 0.0) <= std.real(var.global_get("mizan_purged_at"), -1.0)) {
        # The fetch that stored it, delivering it: a purge ran after it was checked in
        # vcl_backend_response and before it was stored. It goes now.
        set req.http.X-Mizan-Dropped = xkey.purge(resp.http.X-Mizan-Fetch);
    }
    unset resp.http.X-Mizan-Fetch;
    unset resp.http.X-Mizan-Fetched;
    if (obj.uncacheable) {
        set resp.http.X-Cache = "pass";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
    unset resp.http.xkey;
    call mizan_to_client;
}

sub vcl_synth {
    if (req.method == "PURGE") {
        set resp.http.X-Mizan-Purged = req.http.X-Mizan-Purged;
        set resp.http.Content-Type = "text/plain";
        set resp.body = resp.reason;
        return (deliver);
    }
}
