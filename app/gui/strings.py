"""Every user-visible string of the window, in both languages, through checks.shared.i18n.

The window never shows a literal: it renders one of these `Text`s (or a report's
own `i18n` entries) in the current language, so switching language is a re-render.
"""

from __future__ import annotations

from checks.shared.i18n import Text, t

APP_NAME = t("wxdoctor — WeChat/WeCom network doctor", "微信/企业微信网络医生")

# ---- menus -----------------------------------------------------------------------------
MENU_FILE = t("&File", "文件(&F)")
OPEN_REPORT = t("&Open a saved report…", "打开已保存的报告(&O)…")
EXPORT_JSON = t("Save report as &JSON…", "保存报告为 &JSON…")
EXPORT_PDF = t("Save report as &PDF…", "保存报告为 &PDF…")
PDF_MISSING = t("PDF export is not available in this version.", "此版本暂不支持导出 PDF。")
COPY_SUMMARY = t("&Copy summary", "复制检测摘要(&C)")
QUIT = t("&Quit", "退出(&Q)")
MENU_LANG = t("&Language", "语言(&L)")
MENU_HELP = t("&Help", "帮助(&H)")
OPEN_LOGS = t("Open the &log folder", "打开日志文件夹(&L)")
ABOUT = t("&About", "关于(&A)")
ABOUT_TITLE = t("About wxdoctor", "关于微信/企业微信网络医生")
ABOUT_TEXT = t(
    "wxdoctor {version}\n\nFinds out why WeChat or WeCom cannot log in or connect, "
    "in plain words, and fixes it safely.\n\nLog files: {logs}",
    "微信/企业微信网络医生 {version}\n\n用通俗的话告诉您微信或企业微信为什么无法登录或连接，"
    "并安全地修复。\n\n日志文件：{logs}",
)

# ---- top area --------------------------------------------------------------------------
PRODUCT = t("Check for", "检测对象")
PRODUCT_WECOM = t("WeCom", "企业微信")
PRODUCT_WECHAT = t("WeChat", "微信")
PRODUCT_BOTH = t("WeChat and WeCom", "微信和企业微信")
START = t("Start check", "开始检测")
START_AGAIN = t("Check again", "重新检测")
CANCEL = t("Cancel", "取消")
START_TIP = t("Check the network for WeChat/WeCom (Enter)", "检测微信/企业微信的网络状况（回车键）")
CANCEL_TIP = t("Stop the check (Esc)", "停止检测（Esc 键）")

READY_CAPTION = t("Ready", "准备就绪")
READY_HEADLINE = t("Press “Start check” to find out why WeChat/WeCom cannot connect.",
                   "点击“开始检测”，找出微信/企业微信无法连接的原因。")
READY_DETAIL = t("It takes about {s:g} seconds and changes nothing on this computer.",
                 "大约需要 {s:g} 秒，不会更改这台电脑上的任何设置。")
RUNNING_CAPTION = t("Checking…", "正在检测…")
RUNNING_HEADLINE = t("Checking the network, please wait…", "正在检测网络，请稍候…")
PROGRESS = t("{n} of {m} done · {s:.1f} s", "已完成 {n}/{m} 项 · {s:.1f} 秒")
RESULT_CAPTION_OK = t("Result", "检测结果")
RESULT_CAPTION_CAUSE = t("Most likely cause", "最可能的原因")
DO_THIS = t("What to do: {advice}", "建议：{advice}")
ALSO_FOUND = t("Also found: {items}", "另外发现：{items}")
CANCELLED_HEADLINE = t("The check was cancelled; the results below are incomplete.",
                       "检测已取消，下面的结果不完整。")
FINISHED_IN = t("Finished in {s:.1f} s", "用时 {s:.1f} 秒")
RUN_FAILED = t("The check could not run: {reason}", "检测无法运行：{reason}")
CONFIG_FAILED = t("The settings file has a problem: {reason}", "配置文件有问题：{reason}")
SHOWING_FILE = t("Saved report from {when}", "已保存的报告（{when}）")

# ---- check rows ------------------------------------------------------------------------
GROUPS = {
    "network": t("Network connection", "网络连接"),
    "dns": t("Server names (DNS)", "域名解析（DNS）"),
    "secure": t("Secure connection", "安全连接"),
    "computer": t("This computer", "本机设置"),
    "client": t("The WeChat/WeCom app", "微信/企业微信客户端"),
}
PENDING = t("Waiting", "等待中")
RUNNING = t("Checking", "检测中")
WAITING_SUMMARY = t("Not checked yet.", "尚未检测。")
RUNNING_SUMMARY = t("Checking…", "正在检测…")
DETAILS = t("Details", "详情")
HIDE_DETAILS = t("Hide", "收起")
DETAILS_TIP = t("Show what was measured and what to do", "查看检测数据和处理建议")
ADVICE = t("What to do", "建议")
EVIDENCE = t("What was measured", "检测数据")
EVIDENCE_KEY = t("Item", "项目")
EVIDENCE_VALUE = t("Value", "值")
EMPTY = t("(none)", "（无）")
LIGHT_NAME = t("{title}: {status}", "{title}：{status}")
OVERALL_NAME = t("Overall result: {status}", "总体结果：{status}")
IDLE = t("Not checked yet", "尚未检测")

# ---- fixes -----------------------------------------------------------------------------
FIX = t("Fix…", "修复…")
FIX_PRIMARY = t("Fix it…", "一键修复…")
FIX_NAMED = t("{title}…", "{title}…")
COPY_FOR_IT = t("Copy for IT", "复制给网管")
COPY_FOR_IT_TIP = t("Copy a short text for your network administrator: what failed, how, and "
                    "what to allow", "复制一段给网络管理员的说明：哪里失败、怎样失败、需要放行什么")
COPIED_FOR_IT = t("Copied the text for your network administrator: paste it into a message to them.",
                  "已复制给网管的说明：粘贴到发给网络管理员的消息中即可。")
FIX_TIP = t("See exactly what will change before anything happens",
            "先查看将要进行的每一项更改，确认后才会执行")
FIX_TITLE = t("Fix: {title}", "修复：{title}")
FIX_CHOICE = t("Choose:", "请选择：")
FIX_NEEDS_ADMIN_TIP = t("Windows/macOS will ask for an administrator password for this step.",
                        "执行这一步时，系统会请求管理员密码。")
FIX_APPLY = t("Apply fix", "确认修复")
FIX_CLOSE = t("Close", "关闭")
FIX_UNDO = t("Undo", "撤销")
FIX_APPLYING = t("Applying the fix…", "正在修复…")
FIX_DONE = t("Done. Before → after:", "修复完成。修复前 → 修复后：")
FIX_FAILED = t("The fix did not complete; nothing was changed: {reason}",
               "修复未完成，系统未做任何更改：{reason}")
FIX_UNDONE = t("Undone: everything is back as it was.", "已撤销：一切已恢复原样。")
FIX_UNDO_FAILED = t("Undo failed: {reason}", "撤销失败：{reason}")
FIX_RESTART = t("Restart the computer to finish.", "请重启电脑以完成修复。")
FIX_BEFORE_AFTER = t("{title}: {before} → {after}", "{title}：{before} → {after}")
FIX_UNDOING = t("Undoing…", "正在撤销…")
FIX_SAFE_NOTE = t("A backup is made first and every change can be undone.",
                  "执行前会先备份，所有更改都可以撤销。")

# ---- exports ---------------------------------------------------------------------------
NO_REPORT = t("Run a check first.", "请先进行一次检测。")
SAVED_TO = t("Saved to {path}", "已保存到 {path}")
SAVE_FAILED = t("Could not save: {reason}", "保存失败：{reason}")
OPEN_FAILED = t("Could not open this report: {reason}", "无法打开此报告：{reason}")
COPIED = t("Summary copied to the clipboard.", "检测摘要已复制到剪贴板。")
JSON_FILTER = t("Reports (*.json)", "检测报告 (*.json)")
PDF_FILTER = t("PDF documents (*.pdf)", "PDF 文档 (*.pdf)")


def render(template: Text, lang: str, /, **params: object) -> str:
    """Render a string with extra parameters supplied at display time."""
    return template.with_params(**params).render(lang)
