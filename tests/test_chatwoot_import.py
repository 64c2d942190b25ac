"""Chatwoot import: real conversations become valid draft items, recognised personal details replaced, the rest flagged."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from optrain.chatwoot_import import (
    MAX_FILE_BYTES,
    NOT_A_CONVERSATION,
    DraftItem,
    import_bytes,
    import_conversation,
    import_file,
    to_yaml,
)
from optrain.cli import main
from optrain.errors import ChatwootImportError
from optrain.pii import Scrubber
from optrain.scenarios.loader import parse_scenario_text
from optrain.scenarios.model import ConversationItem

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "chatwoot"
PII_FILE = FIXTURES / "api_conversation_pii.json"

# Every personal detail planted in api_conversation_pii.json, as written there.
PLANTED = (
    "Dwayne",
    "Kowalczyk",
    "dwayne.kowalczyk77@gmail.com",
    "dwayne@kowalczykkustom.com",
    "kowalczykkustom",
    "+1 (555) 123-4567",
    "555.123.4567",
    "123-4567",
    "+44 20 7946 0958",
    "7946 0958",
    "(555) 987-6543",
    "987-6543",
    "312-555-0199",
    "1428 Elmwood",
    "Elmwood",
    "Apt 3B",
    "Springfield",
    "62704",
    "HR-10452",
    "10452",
    "1Z999AA10123456784",
    "999AA10123456784",
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "4111111111111111",
    "Priya",
    "Raghunathan",
    "priya.r@hotrodan.com",
    "dkowalczyk",
    "dkowalczyk_rods",
    "dwayne.kowalczyk.904",
    "98.207.41.163",
    "Kustom Garage",
    "7715020931",
    "ab12cd",
    "albums/carb",
)


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def _conversation(types: list[Any]) -> dict[str, Any]:
    texts = ["Where is my carb?", "Looking into it.", "Assigned to the team", "Rate us!", "Any news?"]
    return {
        "id": 77,
        "account_id": 1,
        "status": "open",
        "meta": {"sender": {"name": "Ottoline Pemberton-Vane"}},
        "messages": [
            {"id": i, "content": texts[i], "message_type": t, "created_at": 1_700_000_000 + 600 * i, "private": False}
            for i, t in enumerate(types)
        ],
    }


@pytest.fixture(scope="module")
def pii_draft() -> DraftItem:
    return import_file(PII_FILE)


@pytest.fixture(scope="module")
def pii_yaml(pii_draft: DraftItem) -> str:
    return to_yaml(pii_draft)


# ---------------------------------------------------------------- nothing personal survives


@pytest.mark.parametrize("original", PLANTED)
def test_no_planted_personal_detail_survives_anywhere_in_the_yaml(pii_yaml: str, original: str) -> None:
    assert original.lower() not in pii_yaml.lower()


def test_phone_digits_do_not_survive_in_any_format(pii_yaml: str) -> None:
    digits = re.sub(r"\D", "", pii_yaml)
    for phone in ("5551234567", "5559876543", "3125550199", "442079460958"):
        assert phone not in digits


def test_the_same_person_gets_the_same_stand_in_everywhere(pii_draft: DraftItem) -> None:
    item = pii_draft.item
    first, last = item["customer"]["name"].split()
    texts = [m["text"] for m in item["messages"]]
    assert f"{first} {last}" in texts[0] and f"{first} {last}" in item["title"]
    assert f"Hi {first}," in texts[1]  # the first name alone, in the agent's reply
    assert texts[2].rstrip().endswith(first)  # and in the customer's sign-off
    assert f"ask for {first.lower()} at the shop" in texts[2]  # lower-case stays lower-case
    assert item["customer"]["email"] in texts[0]
    assert item["customer"]["phone"] in texts[0]  # meta's "+1 (555) 123-4567" is the text's 555.123.4567


def test_agent_order_and_tracking_stand_ins_are_consistent(pii_draft: DraftItem) -> None:
    item = pii_draft.item
    texts = [m["text"] for m in item["messages"]]
    agent = re.search(r"Hi \w+, (\w+) here from Hot Rodan", texts[1])
    assert agent is not None and texts[2].startswith(f"{agent.group(1)}, it's been two weeks")
    order_id = item["order"]["id"]
    number = re.sub(r"\D", "", order_id)
    assert order_id.startswith("#HR-") and order_id in texts[0] and order_id in item["title"]
    assert f"order {number} went out" in texts[1]
    assert item["order"]["tracking_number"].startswith("1Z") and item["order"]["tracking_number"] in texts[1]


def test_shop_facts_are_kept(pii_draft: DraftItem) -> None:
    order = pii_draft.item["order"]
    assert (order["value"], order["sku"], order["vehicle"], order["carrier"]) == (
        689.95,
        "HLY-0-80457S",
        "'69 Camaro",
        "UPS",
    )
    assert "the Holley carb for my '69 Camaro" in pii_draft.item["messages"][0]["text"]
    assert "30-day return window" in pii_draft.item["messages"][2]["text"]


def test_two_runs_give_identical_output() -> None:
    assert to_yaml(import_file(PII_FILE)) == to_yaml(import_file(PII_FILE))


def test_output_does_not_depend_on_the_interpreter_hash_seed(pii_yaml: str) -> None:
    code = (
        "import sys; from pathlib import Path; from optrain.chatwoot_import import import_file, to_yaml; "
        "sys.stdout.write(to_yaml(import_file(Path(sys.argv[1]))))"
    )
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", code, str(PII_FILE)], capture_output=True, text=True, env=env, cwd=ROOT, check=True
        )
        assert run.stdout == pii_yaml


@pytest.mark.parametrize("change", [{"id": 4999}, {"account_id": 4}])
def test_a_different_source_gets_different_stand_ins(pii_draft: DraftItem, change: dict[str, int]) -> None:
    other = import_conversation({**load(PII_FILE.name), **change}, source_name="other.json").item
    assert other["customer"]["name"] != pii_draft.item["customer"]["name"]
    assert other["order"]["id"] != pii_draft.item["order"]["id"]
    assert other["messages"][0]["text"] != pii_draft.item["messages"][0]["text"]


# ---------------------------------------------------------------- free-text patterns


@pytest.mark.parametrize(
    ("text", "originals"),
    [
        ("Call +1 (555) 123-4567 or 555.123.4567 or 555-123-4567 or 5551234567", ["123-4567", "123.4567", "1234567"]),
        ("UK line +44 20 7946 0958, Germany +49 30 901820", ["7946", "0958", "901820"]),
        ("Mail me at jo.smith+parts@mail.co.uk", ["jo.smith", "mail.co.uk"]),
        ("Ship to 742 Evergreen Terrace, Springfield, IL 62704", ["742 Evergreen", "Springfield", "62704"]),
        ("New address: 12 W. Oak St., Apt 4, Portland, Oregon", ["12 W. Oak", "Apt 4", "Portland"]),
        ("PO Box 5521, zip 60614", ["5521", "60614"]),
        ("Deliver to 500 Main St. Dallas TX 75201, or call me on 867-5309", ["500 Main", "Dallas", "75201", "5309"]),
        ("Orders #1234, #HR-10452 and order no. 77123 and order 88231", ["1234", "10452", "77123", "88231"]),
        ("Card 4111 1111 1111 1111 exp 04/27", ["4111"]),
        ("Logged in from 203.0.113.77 and 2001:db8:85a3::8a2e:370:7334", ["203.0.113.77", "8a2e:370:7334"]),
        ("Pics: https://photos.example.net/u/kowalczyk/albums/carb?key=ab12cd", ["/u/kowalczyk", "ab12cd"]),
        ("My site https://kowalczykracing.com is up", ["kowalczykracing"]),
        ("UPS 1Z999AA10123456784, USPS 9400111899223333444455", ["999AA10123456784", "9400111899223333444455"]),
        ("Thanks,\nMargarethe", ["Margarethe"]),
        ("my name is Ignatius Wobblesworth and my wife Philippa says hi", ["Ignatius", "Wobblesworth", "Philippa"]),
    ],
)
def test_free_text_details_are_replaced(text: str, originals: list[str]) -> None:
    scrubber = Scrubber(seed=7)
    scrubber.person("Kowalczyk")
    scrubber.learn([text])
    scrubbed = scrubber.text(text)
    for original in originals:
        assert original.lower() not in scrubbed.lower()


@pytest.mark.parametrize(
    "text",
    [
        "Edelbrock 1406 600 cfm carburetor, SKU EDL-1406, fits my '69 Camaro with a TH400.",
        "Outside the 30-day return window; it cost $689.95 plus $45.00 freight.",
        "Ordered on 2024-06-05 at 12:30, racing 10W-30 oil, LS3 coil packs for a 2009 Silverado.",
        "Browser Chrome 125.0.6422.112 on macOS 14.5",
        "I will be rich if this carb fits. Will it?",
        "See https://hotrodan.com for the fitment chart.",
    ],
)
def test_shop_vocabulary_is_left_alone(text: str) -> None:
    scrubber = Scrubber(seed=7)
    scrubber.person("Rich Will")
    expected = text.replace("Will it?", scrubber.text("Will") + " it?")  # a capitalised name is still a name
    assert scrubber.text(text) == expected


def test_a_name_met_later_is_replaced_in_earlier_messages_too() -> None:
    scrubber = Scrubber(seed=3)
    texts = ["Has Lucinda's order shipped?", "It's me again.\n\nCheers,\nLucinda"]
    scrubber.learn(texts)
    assert all("lucinda" not in scrubber.text(t).lower() for t in texts)


def test_contact_named_by_phone_and_attribute_lists_are_scrubbed() -> None:
    data = _conversation([0, 1])
    data["meta"]["sender"] = {"name": "+15558675309", "phone_number": "+15558675309", "type": "contact"}
    data["custom_attributes"] = {
        "product_name": "Holley carb",
        "emails": ["garage.owner@fastmail.example"],
        "contacts": [{"full_name": "Wilhelmina Strozzapreti"}],
    }
    data["messages"][0]["content"] = "Where is my Holley carb? Ask Wilhelmina or garage.owner@fastmail.example"
    draft = import_conversation(data, source_name="whatsapp.json")
    text = to_yaml(draft)
    customer = draft.item["customer"]
    assert "8675309" not in re.sub(r"\D", "", text) and customer["name"] == customer["phone"]
    assert "Wilhelmina" not in text and "garage.owner" not in text
    assert "Where is my Holley carb?" in text  # a product name is not a person


# ---------------------------------------------------------------- the Chatwoot shapes


@pytest.mark.parametrize(
    ("name", "shape", "expected"),
    [
        (
            "api_conversation_pii.json",
            "api_conversation",
            {
                "channel": "email",
                "status": "open",
                "priority": "high",
                "labels": ["returns", "policy-question"],
                "senders": ["customer", "agent", "customer"],
                "minutes_ago": [180, 150, 0],
                "waiting_minutes": 10,
            },
        ),
        (
            "webhook_conversation_created.json",
            "conversation_created",
            {
                "channel": "web_chat",
                "status": "pending",
                "priority": None,
                "labels": None,
                "senders": ["customer", "agent"],
                "minutes_ago": [0, 0],
                "waiting_minutes": 0,
            },
        ),
        (
            "webhook_message_created.json",
            "message_created",
            {
                "channel": "social",
                "status": "open",
                "priority": "medium",
                "labels": ["exchange", "VIP"],
                "senders": ["customer", "agent", "customer"],
                "minutes_ago": [230, 200, 0],
                "waiting_minutes": 0,
            },
        ),
    ],
)
def test_each_chatwoot_shape_keeps_thread_channel_and_timings(name: str, shape: str, expected: dict[str, Any]) -> None:
    draft = import_file(FIXTURES / name)
    item = draft.item
    assert draft.shape == shape
    got = {
        "channel": item.get("channel"),
        "status": item["status"],
        "priority": item.get("priority"),
        "labels": item.get("labels"),
        "senders": [m["sender"] for m in item["messages"]],
        "minutes_ago": [m["minutes_ago"] for m in item["messages"]],
        "waiting_minutes": item.get("waiting_minutes"),
    }
    assert got == expected
    assert isinstance(draft.model(), ConversationItem)


def test_message_created_joins_the_new_message_to_the_thread_and_marks_vip() -> None:
    item = import_file(FIXTURES / "webhook_message_created.json").item
    assert item["id"] == "imported_4823" and item["customer"]["vip"] is True
    assert item["messages"][-1]["text"].startswith("Still nothing on the exchange")
    assert "Thaddeus" not in str(item) and "Bartholomew" not in str(item) and "Henrietta" not in str(item)


@pytest.mark.parametrize("types", [[0, 1, 2, 3, 0], ["incoming", "outgoing", "activity", "template", "incoming"]])
def test_numeric_and_string_message_types_read_alike(types: list[Any]) -> None:
    item = import_conversation(_conversation(types), source_name="x.json").item
    assert [(m["sender"], m["text"]) for m in item["messages"]] == [
        ("customer", "Where is my carb?"),
        ("agent", "Looking into it."),
        ("agent", "Rate us!"),
        ("customer", "Any news?"),
    ]
    assert [m["minutes_ago"] for m in item["messages"]] == [40, 30, 10, 0]


def test_the_messages_endpoint_shape_is_read_too() -> None:
    data = {
        "meta": {"labels": ["refund"], "contact": {"name": "Ottoline Pemberton-Vane", "email": "otto@pv.example"}},
        "payload": [
            {
                "id": 1,
                "conversation_id": 91,
                "content": "Refund please, Ottoline here",
                "message_type": 0,
                "created_at": 1_700_000_000,
            }
        ],
    }
    draft = import_conversation(data, source_name="messages.json")
    assert (draft.shape, draft.item["id"], draft.item["labels"]) == ("api_messages", "imported_91", ["refund"])
    assert "Ottoline" not in to_yaml(draft) and "otto@pv.example" not in to_yaml(draft)


# ---------------------------------------------------------------- the draft is a valid, marked-up item


def test_draft_has_placeholders_and_todo_comments(pii_draft: DraftItem, pii_yaml: str) -> None:
    item = pii_draft.item
    assert (item["kind"], item["id"]) == ("conversation", "imported_4821")
    assert (item["expected"], item["rule"], item["rationale"]) == (
        {"call": "escalate_manager"},
        "policy_exception",
        "TODO: explain the right call",
    )
    lines = pii_yaml.splitlines()
    for key in ("expected", "rationale", "rule"):
        at = lines.index(next(line for line in lines if line.startswith(f"  {key}:")))
        assert lines[at - 1].strip().startswith("# TODO")
    assert yaml.safe_load(pii_yaml) == [item]


def test_draft_pastes_into_a_scenario_that_loads(pii_yaml: str) -> None:
    header = "id: imported\ntitle: Imported\nversion: 1\nmodule: custom\ndifficulty: beginner\nbriefing: B\nqueue:\n"
    scenario = parse_scenario_text(header + pii_yaml, "imported.yaml")
    assert scenario.scripted_items[0].id == "imported_4821"


def test_item_id_can_be_chosen_and_is_checked() -> None:
    assert import_file(PII_FILE, item_id="refund_exception").item["id"] == "refund_exception"
    with pytest.raises(ChatwootImportError, match="item id 'Bad Id!' is not valid: use 1-64 lower-case"):
        import_file(PII_FILE, item_id="Bad Id!")


def test_a_missing_order_is_left_as_a_todo() -> None:
    draft = import_conversation(_conversation([0, 1]), source_name="x.json")
    assert "order" not in draft.item
    assert "# TODO: no order number found" in to_yaml(draft)


# ---------------------------------------------------------------- refusals


SLACK_EXPORT = [{"type": "message", "user": "U024BE7LH", "text": "Where is order #HR-10452?", "ts": "1717590600.0002"}]


@pytest.mark.parametrize(
    "data",
    [
        {},
        [],
        SLACK_EXPORT,
        load("slack_history.json"),
        "conversation",
        4821,
        {"messages": [], "meta": {}},
        load("webhook_contact_created.json"),
    ],
    ids=["empty-object", "list", "slack-export", "slack-history", "string", "number", "no-sender", "contact-event"],
)
def test_anything_else_gets_the_clear_message(data: Any) -> None:
    with pytest.raises(ChatwootImportError) as caught:
        import_conversation(data, source_name="input.json")
    assert str(caught.value).startswith("input.json: ") and NOT_A_CONVERSATION in str(caught.value)


def test_a_scenario_yaml_is_not_json() -> None:
    with pytest.raises(ChatwootImportError, match=r"minimal\.yaml: not valid JSON .*expected a Chatwoot conversation"):
        import_file(ROOT / "fixtures" / "scenarios" / "valid" / "minimal.yaml")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"id": 1,', r"big\.json: not valid JSON \(Expecting"),
        (b"\xff\xfe{}", r"big\.json: not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, r"big\.json: the JSON is nested too deeply"),
        (b" " * (MAX_FILE_BYTES + 1), r"big\.json: 2\.0 MB is over the 2 MB limit"),
    ],
    ids=["truncated", "not-utf8", "deep-nesting", "too-large"],
)
def test_unreadable_input_is_refused_with_a_reason(raw: bytes, message: str) -> None:
    with pytest.raises(ChatwootImportError, match=message):
        import_bytes(raw, source_name="big.json")


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_FILE_BYTES + 1024))
    with pytest.raises(ChatwootImportError, match="over the 2 MB limit"):
        import_file(big)


def test_a_conversation_without_visible_messages_is_refused() -> None:
    data = _conversation([2, 2])
    with pytest.raises(ChatwootImportError, match="conversation 77 has no customer or agent messages"):
        import_conversation(data, source_name="x.json")


# ---------------------------------------------------------------- command line


def test_cli_prints_the_draft(pii_yaml: str) -> None:
    result = CliRunner().invoke(main, ["import-chatwoot", str(PII_FILE)])
    assert result.exit_code == 0 and result.output == pii_yaml


def test_cli_writes_the_draft_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "draft.yaml"
    args = [
        "import-chatwoot",
        str(FIXTURES / "webhook_message_created.json"),
        "--id",
        "exchange_vip",
        "--output",
        str(target),
    ]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0 and "draft item 'exchange_vip', 4 personal detail(s) replaced" in first.output
    assert yaml.safe_load(target.read_text())[0]["id"] == "exchange_vip"
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 1 and "already exists; choose another --output" in second.output


@pytest.mark.parametrize(
    ("name", "message"),
    [("slack_history.json", NOT_A_CONVERSATION), ("missing.json", "missing.json: no such file")],
)
def test_cli_reports_a_foreign_or_missing_file(name: str, message: str) -> None:
    result = CliRunner().invoke(main, ["import-chatwoot", str(FIXTURES / name)])
    assert result.exit_code == 1 and message in result.output


# ---------------------------------------------------------------- recall corpus and the review list

RECALL = FIXTURES / "recall"


def _recall() -> Any:
    """bench/pii_recall.py, the report script (bench/ sits beside the package and is not installed with it)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench import pii_recall

    return pii_recall


def test_the_recall_corpus_plants_at_least_sixty_details_of_every_kind() -> None:
    planted = json.loads((RECALL / "planted.json").read_text(encoding="utf-8"))
    kinds = {entry["kind"] for entry in planted}
    assert len(planted) >= 60
    assert {*_recall().STRUCTURED, "free_name"} <= kinds  # every kind the report counts, and free-text names
    for entry in planted:  # every planted detail is really in its payload
        assert entry["value"] in (RECALL / entry["file"]).read_text(encoding="utf-8"), entry


def test_every_planted_structured_detail_and_known_name_is_replaced() -> None:
    recall = _recall()
    result = recall.measure(RECALL)
    for kind in recall.STRUCTURED:
        assert result[kind].missed == [], kind
        assert result[kind].replaced == result[kind].planted, kind


def test_a_name_found_only_in_the_text_is_replaced_or_flagged_for_review() -> None:
    free = _recall().measure(RECALL)["free_name"]
    assert free.missed == []
    assert free.replaced + free.flagged == free.planted
    assert free.flagged >= 1  # "leave it with Marguerite next door": nothing says it is a name but its capital


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        ("text me at 555-0187 thanks", ["555-0187"], ["text me at"]),
        ("my SSN is 521-44-9087", ["521-44-9087"], ["my SSN is"]),
        ("social: 432 61 9870", ["432 61 9870"], ["social:"]),
        ("ssn 521449087", ["521449087"], ["ssn"]),
        ("VIN 1G1YY22G965104382 here", ["1G1YY22G965104382"], ["VIN", "here"]),
        ("vin: 3vwfe21c04m000001", ["3vwfe21c04m000001"], ["vin:"]),
        ("plate 7XKD294 (California)", ["7XKD294"], ["plate", "(California)"]),
        ("License plate: KLM-4821, thanks", ["KLM-4821"], ["License plate:"]),
        ("DOB 03/14/1979 for the form", ["03/14/1979"], ["DOB", "for the form"]),
        ("born on 22 July 1985 if asked", ["22 July 1985"], ["born on"]),
        ("card 4539 1488 0343 6467 exp 09/27 cvv 713", ["4539 1488 0343 6467", "09/27", "713"], ["exp", "cvv"]),
        ("card 4539148803436467, 09/27", ["4539148803436467", "09/27"], ["card"]),
        ("security code 482", ["482"], ["security code"]),
        ("insta @marisol_builds please", ["marisol_builds"], ["insta @", "please"]),
        ("Please ask for Delphine at reception", ["Delphine"], ["Please ask for", "at reception"]),
        ("ask for Nova headers", [], ["ask for Nova headers"]),  # the shop's own word is not a name
        ("my neighbour Ruairí can sign", ["Ruairí", "Ruair"], ["my neighbour", "can sign"]),
        ("see keeleykustoms.com/builds/nova", ["keeleykustoms.com/builds/nova", "builds/nova"], ["see"]),
        ("order HR-20931 late", ["20931"], ["order HR-"]),
        ("Deliver to 17 Harrowgate Lane, Leeds LS6 2QD.", ["Harrowgate", "Leeds", "LS6 2QD"], ["Deliver to"]),
        ("Montréal, QC H3H 1M8", ["Montréal", "H3H 1M8"], ["QC"]),
        ("Calle de Alcalá 48, 28014 Madrid", ["Alcalá", "28014", "Madrid"], []),
        ("at Hauptstraße 12, 10115 Berlin", ["Hauptstraße", "10115", "Berlin"], ["at"]),
        ("2250 Rue Sainte-Catherine O", ["Sainte-Catherine"], []),
        ("call 0044 20 7946 0958 now", ["7946 0958"], ["call", "now"]),
        ("or 020 7946 0958", ["7946 0958"], ["or"]),
        ("Unit 5 / 22 George St, Sydney NSW 2000", ["George", "Sydney", "2000"], ["NSW"]),
    ],
)
def test_each_kind_of_detail_is_replaced_where_it_is_written(text: str, gone: list[str], kept: list[str]) -> None:
    scrubber = Scrubber(seed=3, shop_words=frozenset({"nova", "headers"}))
    scrubber.learn([text])  # as the importer does: names are met in every message first
    scrubbed = scrubber.text(text)
    for value in gone:
        assert value not in scrubbed, (value, scrubbed)
    for value in kept:
        assert value in scrubbed, (value, scrubbed)


def test_only_numbers_that_pass_the_luhn_check_are_replaced_as_cards() -> None:
    scrubber = Scrubber(seed=3)
    scrubber.text("card 4539 1488 0343 6467")
    scrubber.text("ref 4539 1488 0343 6468")  # one digit off: not a card number (a reference number instead)
    assert dict(scrubber.counts()).get("card number") == 1


@pytest.mark.parametrize(
    "text",
    [
        "Edelbrock 1406 600 cfm carburetor",
        "Browser Chrome 125.0.6422.112",
        "12 units of SKU AERO-11101",
        "It fits, 2019 Silverado 1500",
        "redline, 12000 RPM",
    ],
)
def test_part_numbers_versions_and_model_years_are_left_alone(text: str) -> None:
    assert Scrubber(seed=3).text(text) == text


def test_the_review_list_names_what_still_looks_personal_and_never_a_stand_in() -> None:
    draft = import_file(RECALL / "webhook_conversation_names.json")
    flagged = {flag.text for flag in draft.flags}
    assert flagged == {"Marguerite"}  # not "Grand", "Tuesday", "Please", "Hi" (everyday words)
    stand_in_words = {w for fake in draft.item["customer"].values() if isinstance(fake, str) for w in fake.split()}
    assert not flagged & stand_in_words
    assert all(flag.where.startswith(("messages[", "title", "order.", "labels[")) for flag in draft.flags)


def test_a_dangling_birth_date_or_long_number_is_flagged() -> None:
    data = _conversation([0, 1])
    data["messages"][0]["content"] = "It was 04/11/1962, account 99381274455 if that helps"
    draft = import_conversation(data, source_name="t.json")
    reasons = {flag.text: flag.reason for flag in draft.flags}
    assert "04/11/1962" in reasons
    assert not any("99381274455" in text for text in reasons)  # a long number is replaced as a reference
    assert "99381274455" not in to_yaml(draft)


def test_the_cli_lists_the_review_and_writes_the_draft_only_once_reviewed(tmp_path: Path) -> None:
    source, output = RECALL / "webhook_conversation_names.json", tmp_path / "draft.yaml"
    refused = CliRunner().invoke(main, ["import-chatwoot", str(source), "--output", str(output)])
    assert refused.exit_code == 1
    assert "'Marguerite' (a capitalised word the shop does not use)" in refused.output
    assert "not written: review the 1 flagged word(s)" in refused.output
    assert not output.exists()
    written = CliRunner().invoke(main, ["import-chatwoot", str(source), "--output", str(output), "--reviewed"])
    assert written.exit_code == 0, written.output
    assert "1 flagged for review" in written.output
    text = output.read_text(encoding="utf-8")
    assert "# REVIEW before saving: 1 thing(s) still look personal" in text
    assert "nobody" not in text.split("\n- kind:")[0].lower()  # the header claims only what was replaced


def test_a_draft_with_nothing_flagged_is_written_without_review(tmp_path: Path) -> None:
    output = tmp_path / "draft.yaml"
    result = CliRunner().invoke(
        main, ["import-chatwoot", str(RECALL / "api_conversation_card.json"), "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert "0 flagged for review" in result.output
    assert "Nothing else looks personal to the importer" in output.read_text(encoding="utf-8")
