/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The _name() function of every public enum: one stable lower-case word
 * per value (a flag enum names each single flag), for logs, command output
 * and JSON. ipto_frame_style_name() lives with the frames it names and
 * ipto_devconf_name() with the binder.
 */
#include "ipto-private.h"

#include <ipto/ipto-dryrun.h>

struct enum_name {
	int value;
	const char *name;
};

static const char *lookup(const struct enum_name *t, size_t n, int value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

#define IPTO_DEFINE_ENUM_NAME(fn, type, ...)                              \
	IPTO_EXPORT const char *fn(enum type v)                           \
	{                                                                 \
		static const struct enum_name t[] = { __VA_ARGS__ };      \
		return lookup(t, IPTO_ARRAY_SIZE(t), (int)v);             \
	}

IPTO_DEFINE_ENUM_NAME(ipto_log_priority_name, ipto_log_priority,
	{ IPTO_LOG_PRIORITY_ERROR, "error" },
	{ IPTO_LOG_PRIORITY_INFO, "info" },
	{ IPTO_LOG_PRIORITY_DEBUG, "debug" })

IPTO_DEFINE_ENUM_NAME(ipto_addr_class_name, ipto_addr_class,
	{ IPTO_ADDR_CLASS_UNICAST, "unicast" },
	{ IPTO_ADDR_CLASS_MULTICAST, "multicast" },
	{ IPTO_ADDR_CLASS_BROADCAST, "broadcast" },
	{ IPTO_ADDR_CLASS_UNSPECIFIED, "unspecified" },
	{ IPTO_ADDR_CLASS_LOOPBACK, "loopback" },
	{ IPTO_ADDR_CLASS_LINK_LOCAL, "link_local" },
	{ IPTO_ADDR_CLASS_NETWORK, "network" })

IPTO_DEFINE_ENUM_NAME(ipto_mac_class_name, ipto_mac_class,
	{ IPTO_MAC_CLASS_UNICAST, "unicast" },
	{ IPTO_MAC_CLASS_MULTICAST, "multicast" },
	{ IPTO_MAC_CLASS_BROADCAST, "broadcast" },
	{ IPTO_MAC_CLASS_ZERO, "zero" },
	{ IPTO_MAC_CLASS_LOCAL, "local" })

IPTO_DEFINE_ENUM_NAME(ipto_frame_tha_name, ipto_frame_tha,
	{ IPTO_FRAME_THA_DEFAULT, "default" },
	{ IPTO_FRAME_THA_ZERO, "zero" },
	{ IPTO_FRAME_THA_BROADCAST, "broadcast" },
	{ IPTO_FRAME_THA_SENDER, "sender" })

IPTO_DEFINE_ENUM_NAME(ipto_frame_flags_name, ipto_frame_flags,
	{ IPTO_FRAME_ROUTER, "router" })

IPTO_DEFINE_ENUM_NAME(ipto_neigh_source_name, ipto_neigh_source,
	{ IPTO_NEIGH_TABLE, "table" },
	{ IPTO_NEIGH_ROUTER, "router" },
	{ IPTO_NEIGH_NODE_LIST, "node_list" },
	{ IPTO_NEIGH_WATCH, "watch" },
	{ IPTO_NEIGH_DESCRIPTION, "description" })

IPTO_DEFINE_ENUM_NAME(ipto_bind_flags_name, ipto_bind_flags,
	{ IPTO_BIND_NODAD, "nodad" },
	{ IPTO_BIND_TAKEOVER, "takeover" },
	{ IPTO_BIND_RECLAIM, "reclaim" },
	{ IPTO_BIND_PREFERRED, "preferred" })

IPTO_DEFINE_ENUM_NAME(ipto_binder_op_name, ipto_binder_op,
	{ IPTO_BINDER_OP_ADDR_ADD, "addr_add" },
	{ IPTO_BINDER_OP_ADDR_DEL, "addr_del" },
	{ IPTO_BINDER_OP_ADDR_LIST, "addr_list" },
	{ IPTO_BINDER_OP_ADAPTER_GET, "adapter_get" },
	{ IPTO_BINDER_OP_ADAPTER_SET_UP, "adapter_set_up" },
	{ IPTO_BINDER_OP_DEVCONF_GET, "devconf_get" },
	{ IPTO_BINDER_OP_DEVCONF_SET, "devconf_set" },
	{ IPTO_BINDER_OP_ADDR_DUMP, "addr_dump" },
	{ IPTO_BINDER_OP_ADAPTER_DUMP, "adapter_dump" },
	{ IPTO_BINDER_OP_RECORD_GET, "record_get" },
	{ IPTO_BINDER_OP_RECORD_SET, "record_set" },
	{ IPTO_BINDER_OP_MUTATING, "mutating" },
	{ IPTO_BINDER_OP_ALL, "all" },
	{ IPTO_BINDER_OP_ADAPTER_CREATE, "adapter_create_macvlan" },
	{ IPTO_BINDER_OP_ADAPTER_DELETE, "adapter_delete" },
	{ IPTO_BINDER_OP_ADAPTER_GET_ALIAS, "adapter_get_alias" },
	{ IPTO_BINDER_OP_ADAPTERS, "adapters" })

IPTO_DEFINE_ENUM_NAME(ipto_injector_op_name, ipto_injector_op,
	{ IPTO_INJECTOR_OP_OPEN, "open" },
	{ IPTO_INJECTOR_OP_SEND, "send" })

IPTO_DEFINE_ENUM_NAME(ipto_adapter_flags_name, ipto_adapter_flags,
	{ IPTO_ADAPTER_MANAGEMENT, "management" })

IPTO_DEFINE_ENUM_NAME(ipto_plan_flags_name, ipto_plan_flags,
	{ IPTO_PLAN_SHARE_ADAPTERS, "share_adapters" })

IPTO_DEFINE_ENUM_NAME(ipto_plan_action_name, ipto_plan_action,
	{ IPTO_PLAN_ACTION_BIND, "bind" },
	{ IPTO_PLAN_ACTION_UNBIND, "unbind" })

IPTO_DEFINE_ENUM_NAME(ipto_plan_step_flags_name, ipto_plan_step_flags,
	{ IPTO_PLAN_STEP_MANAGEMENT, "management" },
	{ IPTO_PLAN_STEP_SHARED, "shared" },
	{ IPTO_PLAN_STEP_MACVLAN, "macvlan" })

IPTO_DEFINE_ENUM_NAME(ipto_format_name, ipto_format,
	{ IPTO_FORMAT_TEXT, "text" },
	{ IPTO_FORMAT_JSON, "json" })

IPTO_DEFINE_ENUM_NAME(ipto_takeover_flags_name, ipto_takeover_flags,
	{ IPTO_TAKEOVER_KEEP_DEVCONF, "keep_devconf" },
	{ IPTO_TAKEOVER_DAD, "dad" },
	{ IPTO_TAKEOVER_RECLAIM, "reclaim" },
	{ IPTO_TAKEOVER_NO_DIRECTED, "no_directed" })

IPTO_DEFINE_ENUM_NAME(ipto_addr_entry_flags_name, ipto_addr_entry_flags,
	{ IPTO_ADDR_ENTRY_SECONDARY, "secondary" },
	{ IPTO_ADDR_ENTRY_PROTO_RECORDED, "proto_recorded" })

IPTO_DEFINE_ENUM_NAME(ipto_lock_flags_name, ipto_lock_flags,
	{ IPTO_LOCK_NOWAIT, "nowait" })

IPTO_DEFINE_ENUM_NAME(ipto_health_name, ipto_health,
	{ IPTO_HEALTH_ADAPTER_DOWN, "adapter_down" },
	{ IPTO_HEALTH_ARP_UNGUARDED, "arp_unguarded" },
	{ IPTO_HEALTH_OTHER_ANSWERS, "other_interface_answers" },
	{ IPTO_HEALTH_MISSING, "missing" },
	{ IPTO_HEALTH_UNMARKED, "unmarked" })

IPTO_DEFINE_ENUM_NAME(ipto_report_op_name, ipto_report_op,
	{ IPTO_REPORT_OP_CHECK_ADAPTER, "check_adapter" },
	{ IPTO_REPORT_OP_OPEN_ADAPTER, "open_adapter" },
	{ IPTO_REPORT_OP_DEVCONF, "devconf" },
	{ IPTO_REPORT_OP_ADDR_ADD, "addr_add" },
	{ IPTO_REPORT_OP_ADDR_DEL, "addr_del" },
	{ IPTO_REPORT_OP_ADAPTER_UP, "adapter_up" },
	{ IPTO_REPORT_OP_ANNOUNCE, "announce" },
	{ IPTO_REPORT_OP_ADAPTER_CREATE, "adapter_create" })

IPTO_DEFINE_ENUM_NAME(ipto_macvlan_mode_name, ipto_macvlan_mode,
	{ IPTO_MACVLAN_MODE_BRIDGE, "bridge" },
	{ IPTO_MACVLAN_MODE_PRIVATE, "private" },
	{ IPTO_MACVLAN_MODE_VEPA, "vepa" })

IPTO_DEFINE_ENUM_NAME(ipto_macvlan_flags_name, ipto_macvlan_flags,
	{ IPTO_MACVLAN_KEEP, "keep" })

IPTO_DEFINE_ENUM_NAME(ipto_report_outcome_name, ipto_report_outcome,
	{ IPTO_REPORT_OUTCOME_DONE, "done" },
	{ IPTO_REPORT_OUTCOME_FOUND, "found" },
	{ IPTO_REPORT_OUTCOME_FAILED, "failed" },
	{ IPTO_REPORT_OUTCOME_UNDONE, "undone" })
