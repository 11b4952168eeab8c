/* SPDX-License-Identifier: MIT */
/* notifyd.c: a stand-in desktop notification server for desktop.sh. */
#include <dbus/dbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * notifyd ADDRESS SECONDS: own org.freedesktop.Notifications on the bus at
 * ADDRESS, answer what notify-send asks, print one line per Notify call
 * with the caller's uid, and exit after SECONDS.  It stands in for the
 * desktop's own server, which needs a display.
 */

static void
reply_strings(DBusConnection *c, DBusMessage *m, const char **v, int n,
    int as_array)
{
	DBusMessage *r = dbus_message_new_method_return(m);
	DBusMessageIter it, arr;
	int i;

	dbus_message_iter_init_append(r, &it);
	if (as_array) {
		dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "s",
		    &arr);
		for (i = 0; i < n; i++)
			dbus_message_iter_append_basic(&arr, DBUS_TYPE_STRING,
			    &v[i]);
		dbus_message_iter_close_container(&it, &arr);
	} else {
		for (i = 0; i < n; i++)
			dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING,
			    &v[i]);
	}
	dbus_connection_send(c, r, NULL);
	dbus_message_unref(r);
}

static void
notify(DBusConnection *c, DBusMessage *m)
{
	const char *app = "", *icon = "", *summary = "", *body = "";
	dbus_uint32_t replaces = 0, id = 1;
	unsigned long uid;
	DBusMessage *r;
	DBusError err;

	dbus_error_init(&err);
	dbus_message_get_args(m, &err, DBUS_TYPE_STRING, &app,
	    DBUS_TYPE_UINT32, &replaces, DBUS_TYPE_STRING, &icon,
	    DBUS_TYPE_STRING, &summary, DBUS_TYPE_STRING, &body,
	    DBUS_TYPE_INVALID);
	if (dbus_error_is_set(&err))
		dbus_error_free(&err);
	uid = dbus_bus_get_unix_user(c, dbus_message_get_sender(m), &err);
	if (dbus_error_is_set(&err))
		dbus_error_free(&err);
	printf("Notify uid=%lu app=%s summary=%s body=%s\n", uid, app,
	    summary, body);
	fflush(stdout);
	r = dbus_message_new_method_return(m);
	dbus_message_append_args(r, DBUS_TYPE_UINT32, &id, DBUS_TYPE_INVALID);
	dbus_connection_send(c, r, NULL);
	dbus_message_unref(r);
}

int
main(int argc, char **argv)
{
	static const char *info[] = { "bustd-test", "bustd", "0", "1.2" };
	static const char *caps[] = { "body" };
	static const char *iface = "org.freedesktop.Notifications";
	DBusConnection *c;
	DBusMessage *m;
	DBusError err;
	time_t end;

	if (argc != 3) {
		fprintf(stderr, "usage: notifyd ADDRESS SECONDS\n");
		return 2;
	}
	end = time(NULL) + atoi(argv[2]);
	dbus_error_init(&err);
	c = dbus_connection_open_private(argv[1], &err);
	if (c == NULL || !dbus_bus_register(c, &err)) {
		fprintf(stderr, "notifyd: %s\n", err.message);
		return 1;
	}
	if (dbus_bus_request_name(c, iface, DBUS_NAME_FLAG_DO_NOT_QUEUE,
	    &err) != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
		fprintf(stderr, "notifyd: cannot own %s\n", iface);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (time(NULL) < end && dbus_connection_read_write(c, 100)) {
		while ((m = dbus_connection_pop_message(c)) != NULL) {
			if (dbus_message_is_method_call(m, iface, "Notify"))
				notify(c, m);
			else if (dbus_message_is_method_call(m, iface,
			    "GetServerInformation"))
				reply_strings(c, m, info, 4, 0);
			else if (dbus_message_is_method_call(m, iface,
			    "GetCapabilities"))
				reply_strings(c, m, caps, 1, 1);
			dbus_message_unref(m);
		}
	}
	dbus_connection_close(c);
	dbus_connection_unref(c);
	return 0;
}
