# libipto 1.0 freeze renames (issue 14, second half). GNU sed, word-boundary
# patterns, idempotent: run it again over a tree that has some old names.
# usage: find lib include examples tests doc README.md -type f \
#          ! -name libipto.abi -print0 | xargs -0 sed -i -f /work/briefs/rename.sed

# --- constructors: ipto_<obj>_new[_<variant>] ---
s/\bipto_plan_takeover\b/ipto_plan_new_takeover/g
s/\bipto_plan_release\b/ipto_plan_new_release/g
s/\bipto_status_read\b/ipto_status_new/g

# --- one vocabulary: adapter (not link, not port) ---
s/\bipto_link_info\b/ipto_adapter_info/g
s/\bipto_link_entry\b/ipto_adapter_entry/g
s/\bipto_binder_link_get\b/ipto_binder_adapter_get/g
s/\bipto_binder_link_set_up\b/ipto_binder_adapter_set_up/g
s/\bipto_binder_link_dump\b/ipto_binder_adapter_dump/g
s/\bipto_binder_dryrun_add_link\b/ipto_binder_dryrun_add_adapter/g
s/\bipto_binder_dryrun_copy_link\b/ipto_binder_dryrun_copy_adapter/g
s/\bipto_injector_port_get_ifname\b/ipto_injector_adapter_get_ifname/g
s/\bipto_injector_port\b/ipto_injector_adapter/g
# ops table members, op names and the dry-run call log's first word
s/\blink_get\b/adapter_get/g
s/\blink_set_up\b/adapter_set_up/g
s/\blink_dump\b/adapter_dump/g
s/\bIPTO_BINDER_OP_LINK_GET\b/IPTO_BINDER_OP_ADAPTER_GET/g
s/\bIPTO_BINDER_OP_LINK_SET_UP\b/IPTO_BINDER_OP_ADAPTER_SET_UP/g
s/\bIPTO_BINDER_OP_LINK_DUMP\b/IPTO_BINDER_OP_ADAPTER_DUMP/g
# report ops (enum ipto_report_op) and their names
s/\bIPTO_REPORT_CHECK_LINK\b/IPTO_REPORT_OP_CHECK_ADAPTER/g
s/\bIPTO_REPORT_OPEN_PORT\b/IPTO_REPORT_OP_OPEN_ADAPTER/g
s/\bIPTO_REPORT_LINK_UP\b/IPTO_REPORT_OP_ADAPTER_UP/g
s/\bIPTO_REPORT_DEVCONF\b/IPTO_REPORT_OP_DEVCONF/g
s/\bIPTO_REPORT_ADDR_ADD\b/IPTO_REPORT_OP_ADDR_ADD/g
s/\bIPTO_REPORT_ADDR_DEL\b/IPTO_REPORT_OP_ADDR_DEL/g
s/\bIPTO_REPORT_ANNOUNCE\b/IPTO_REPORT_OP_ANNOUNCE/g
s/\bcheck_link\b/check_adapter/g
s/\bopen_port\b/open_adapter/g
s/"link_up"/"adapter_up"/g
s/\baddr_del, link_up,/addr_del, adapter_up,/g

# --- enum value prefixes match their enum ---
s/\bIPTO_OUTCOME_/IPTO_REPORT_OUTCOME_/g
s/\bIPTO_PLAN_BIND\b/IPTO_PLAN_ACTION_BIND/g
s/\bIPTO_PLAN_UNBIND\b/IPTO_PLAN_ACTION_UNBIND/g
s/\bIPTO_FRAME_ARP_ANNOUNCE\b/IPTO_FRAME_STYLE_ARP_ANNOUNCE/g
s/\bIPTO_FRAME_ARP_BCAST_TARGET\b/IPTO_FRAME_STYLE_ARP_BCAST_TARGET/g
s/\bIPTO_FRAME_ARP_REQUEST\b/IPTO_FRAME_STYLE_ARP_REQUEST/g
s/\bIPTO_FRAME_ARP_REPLY\b/IPTO_FRAME_STYLE_ARP_REPLY/g
s/\bIPTO_FRAME_NA\b/IPTO_FRAME_STYLE_NA/g
s/\bIPTO_FRAME_F_ROUTER\b/IPTO_FRAME_ROUTER/g
s/\bIPTO_BINDER_OPS_MUTATING\b/IPTO_BINDER_OP_MUTATING/g
s/\bIPTO_BINDER_OPS_ALL\b/IPTO_BINDER_OP_ALL/g
s/\bIPTO_LOG_ERROR\b/IPTO_LOG_PRIORITY_ERROR/g
s/\bIPTO_LOG_INFO\b/IPTO_LOG_PRIORITY_INFO/g
s/\bIPTO_LOG_DEBUG\b/IPTO_LOG_PRIORITY_DEBUG/g
s/\bIPTO_ADDR_UNICAST\b/IPTO_ADDR_CLASS_UNICAST/g
s/\bIPTO_ADDR_MULTICAST\b/IPTO_ADDR_CLASS_MULTICAST/g
s/\bIPTO_ADDR_BROADCAST\b/IPTO_ADDR_CLASS_BROADCAST/g
s/\bIPTO_ADDR_UNSPECIFIED\b/IPTO_ADDR_CLASS_UNSPECIFIED/g
s/\bIPTO_ADDR_LOOPBACK\b/IPTO_ADDR_CLASS_LOOPBACK/g
s/\bIPTO_ADDR_LINK_LOCAL\b/IPTO_ADDR_CLASS_LINK_LOCAL/g
s/\bIPTO_ADDR_NETWORK\b/IPTO_ADDR_CLASS_NETWORK/g
s/\bIPTO_MAC_UNICAST\b/IPTO_MAC_CLASS_UNICAST/g
s/\bIPTO_MAC_MULTICAST\b/IPTO_MAC_CLASS_MULTICAST/g
s/\bIPTO_MAC_BROADCAST\b/IPTO_MAC_CLASS_BROADCAST/g
s/\bIPTO_MAC_ZERO\b/IPTO_MAC_CLASS_ZERO/g
s/\bIPTO_MAC_LOCAL\b/IPTO_MAC_CLASS_LOCAL/g
