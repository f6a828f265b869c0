"""Rules: every rule of data/rules.yaml, grouped by scope, each with a live demonstration."""

import streamlit as st

from core.rules import load_rules
from ui.frame import page_frame
from ui.i18n import pick, t
from ui.rule_cards import anchor, rule_card
from ui.url import choice_url, read_url, url_settings

page_frame("rules")

book = load_rules()
st.caption(t("rules.count", n=len(book.rules)))

# ?rule=<id> (the wizard and the lessons link here): mark that rule and offer a jump to it.
link = choice_url("rules", "rule", book.ids)
for warning in read_url(link)[1]:  # a rule id that does not exist, a mistyped key
    st.warning(warning)
linked = url_settings(link)
if linked is not None:
    rule = book.rule(linked)
    st.info(
        t("rules.linked", title=pick(rule.title), id=rule.id)
        + f" [{t('rules.jump')}](#{anchor(rule.id)})",
        icon="📌",
    )

for scope, rules in book.by_scope().items():
    st.header(t(f"rules.scope.{scope}"), anchor=f"scope-{scope}", divider="gray")
    st.caption(t(f"rules.scope_help.{scope}"))
    for rule in rules:
        rule_card(rule, highlighted=rule.id == linked)
