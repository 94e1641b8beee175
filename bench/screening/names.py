"""Name pools for the screening benchmark.

The base is the registry generator's table (``marsad/registry/data/names.csv``: Iraqi given,
father's and family names with their Arabic and Latin spellings and rough frequencies). This
module adds names it lacks, each with its Arabic spelling and one Latin spelling; the generator
makes further Latin spellings by rule (``generate.respell``), so most spellings a traveller
presents are not in any table the normaliser was built from. A name already in the base table
(same Arabic spelling) is skipped.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

# latin canonical | arabic; weight 1 unless written "name*2".
EXTRA_MALE = """
Akram|أكرم Amjad|أمجد Anas|أنس Arkan|أركان Asaad|أسعد Aziz|عزيز Badr|بدر Bassam|بسام
Bilal|بلال Diyar|ديار Farhan|فرحان Fouad|فؤاد Ghassan|غسان Ghazi|غازي Habib|حبيب
Hakim|حكيم Hani|هاني Harith|حارث Hatem|حاتم Hazem|حازم Hisham|هشام Jawad|جواد
Karim|كريم Khalaf|خلف Khudhair|خضير Luay|لؤي Maher|ماهر Mansour|منصور Mithaq|ميثاق
Moayad|مؤيد Munther|منذر Mushtaq|مشتاق Muthanna|مثنى Nadhim|ناظم Nawaf|نواف Nizar|نزار
Qais|قيس Raad|رعد Rafid|رافد Sabri|صبري Sahib|صاحب Salam|سلام Shihab|شهاب Sinan|سنان
Tariq|طارق Wael|وائل Yasir|ياسر Younis|يونس Zuhair|زهير Nawfal|نوفل Jalal|جلال Kifah|كفاح
Radhi|راضي Talal|طلال Thaer|ثائر Wathiq|واثق Yaseen|ياسين Zaki|زكي Adnan|عدنان Anwar|أنور
Ayoub|أيوب Dhafer|ظافر Fakhri|فخري Fareed|فريد Ghalib|غالب Hamdi|حمدي Idris|إدريس
Jihad|جهاد Khairi|خيري Lutfi|لطفي Mahir|ماهر Muayad|مؤيد Muslim|مسلم Nabeel|نبيل
Naeem|نعيم Najm|نجم Qahtan|قحطان Rahim|رحيم Rami|رامي Sadiq|صادق Salim|سليم Sufyan|سفيان
Suhail|سهيل Tahir|طاهر Waleed|وليد Yaqub|يعقوب Zakariya|زكريا Basim|باسم Dhiyab|ذياب
Fahad|فهد Ghaith|غيث Kadhem|كاظم Mohsen|محسن Nouri|نوري Obaid|عبيد
Rasool|رسول Shaalan|شعلان Turki|تركي Yassin|ياسين
"""
EXTRA_FEMALE = """
Afrah|أفراح Asmaa|أسماء Dalal|دلال Hanaa|هناء Inas|إيناس Lubna|لبنى Mayada|ميادة
Najla|نجلاء Rana|رنا Shaima|شيماء Sahar|سحر Suhad|سهاد Wijdan|وجدان Yusra|يسرى Zahra|زهرة
Ban|بان Dunya|دنيا Hadeel|هديل Israa|إسراء Manal|منال Nisreen|نسرين Raghad|رغد Reem|ريم
"""
EXTRA_FAMILY = """
Al-Khalidi|الخالدي Al-Husseini|الحسيني Al-Sadr|الصدر Al-Jaafari|الجعفري Al-Alawi|العلوي
Al-Kadhimi|الكاظمي Al-Najafi|النجفي Al-Karbalai|الكربلائي Al-Hilli|الحلي Al-Anbari|الأنباري
Al-Fallouji|الفلوجي Al-Hiti|الهيتي Al-Abadi|العبادي Al-Kinani|الكناني Al-Shaikhli|الشيخلي
Al-Zobaie|الزوبعي Al-Mashhadani|المشهداني Al-Fahdawi|الفهداوي Al-Daraji|الدراجي
Al-Rikabi|الركابي Al-Gharawi|الغراوي Al-Yasiri|الياسري Al-Waeli|الوائلي Al-Halbousi|الحلبوسي
Al-Ithawi|العيثاوي Al-Karkhi|الكرخي Al-Adhami|الأعظمي Al-Badri|البدري Al-Dabbagh|الدباغ
Al-Haddad|الحداد Al-Nuaimi|النعيمي Al-Safi|الصافي Al-Shibli|الشبلي Al-Lihaibi|اللهيبي
Al-Mafraji|المفرجي Al-Atabi|العتابي Al-Ibrahimi|الإبراهيمي Al-Jawahiri|الجواهري
Al-Khazraji|الخزرجي Al-Shawi|الشاوي Al-Hayali|الحيالي Zebari|زيباري Duski|دوسكي Harki|هركي
Barwari|برواري Al-Mohammedawi|المحمداوي Al-Suwaidi|السويدي Al-Hamidawi|الحميداوي
Al-Ekaili|العكيلي Al-Anizi|العنزي Al-Mutairi|المطيري Al-Dhafiri|الظفيري Al-Rifai|الرفاعي
Al-Baidhani|البيضاني Al-Haidari|الحيدري Al-Khashali|الخشالي Al-Amiri|العامري
Al-Khalisi|الخالصي Al-Marsoumi|المرسومي Al-Salmani|السلماني Al-Shaibani|الشيباني
Al-Nadawi|النداوي Al-Ghazzi|الغزي Al-Budairi|البديري Al-Khaqani|الخاقاني
Al-Sumaidaie|الصميدعي Al-Sarraf|الصراف Al-Qaraghouli|القرغولي Al-Attar|العطار
Al-Kilani|الكيلاني Al-Alusi|الآلوسي Al-Midfai|المدفعي Al-Nasiri|الناصري Al-Ahmadi|الأحمدي
Al-Jazairi|الجزائري Al-Iraqi|العراقي Al-Mashhadi|المشهدي Al-Juhaishi|الجحيشي
Al-Mayahi|المياحي Al-Khuzaie|الخزاعي Al-Saidi|السعيدي Al-Kurwi|الكروي Al-Hakim|الحكيم
Al-Asaf|العساف Al-Mansouri|المنصوري Al-Dulafi|الدلفي Al-Jabri|الجابري
Hawrami|هورامي Sourchi|سورچي
Khoshnaw|خوشناو Pirdawood|پيرداود Hamawandi|همەوەندي Bapir|باپير
"""


@dataclass(frozen=True)
class Name:
    """One name: its Arabic spellings and its Latin spellings (the first is canonical)."""

    group: str
    kind: str
    weight: int
    arabic: tuple[str, ...]
    latin: tuple[str, ...]


def _extra(kind: str, text: str) -> list[Name]:
    found = []
    for item in text.split():
        latin, arabic = item.split("|")
        weight = 1
        if "*" in arabic:
            arabic, count = arabic.split("*")
            weight = int(count)
        group = latin.lower().replace("al-", "").replace("-", "")
        found.append(Name(group, kind, weight, (arabic,), (latin,)))
    return found


def _ancestor_families(male: list[Name], seen: set[str]) -> list[Name]:
    """Family names made from an ancestor's name, as many Iraqi ones are: Hassan → al-Hassani,
    Hamid → al-Hamidawi. They make the long tail of rare family names a real population has."""
    found = []
    for name in male:
        arabic = name.arabic[0].replace("ـ", "")
        if " " in arabic or arabic.endswith(("ة", "ى", "ا", "ي", "ء")):
            continue
        latin = name.latin[0]
        if " " in latin or "-" in latin or latin.lower().endswith(("a", "i", "y", "e", "h", "o")):
            continue
        for suffix_latin, suffix_arabic in (("i", "ي"), ("awi", "اوي")):
            group = f"{name.group}{suffix_latin}"
            spelled_arabic = f"ال{arabic.removeprefix('ئ')}{suffix_arabic}"
            if group in seen or spelled_arabic in seen:
                continue
            seen.add(group)
            found.append(
                Name(group, "family", 1, (spelled_arabic,), (f"Al-{latin}{suffix_latin}",))
            )
    return found


@cache
def pools() -> dict[str, list[Name]]:
    """male, female and family names, base table first, without duplicates."""
    text = resources.files("marsad.registry").joinpath("data/names.csv").read_text("utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    result: dict[str, list[Name]] = {"male": [], "female": [], "family": []}
    seen_arabic: set[str] = set()
    seen_groups: set[str] = set()
    for row in csv.DictReader(lines):
        name = Name(
            group=row["group"],
            kind=row["kind"],
            weight=int(row["weight"]),
            arabic=tuple(row["arabic"].split("|")),
            latin=tuple(row["latin"].split("|")),
        )
        result[name.kind].append(name)
        seen_arabic.update(name.arabic)
        seen_groups.add(name.group)
    for kind, text in (("male", EXTRA_MALE), ("female", EXTRA_FEMALE), ("family", EXTRA_FAMILY)):
        for name in _extra(kind, text):
            if name.arabic[0] in seen_arabic or name.group in seen_groups:
                continue
            seen_arabic.update(name.arabic)
            seen_groups.add(name.group)
            result[kind].append(name)
    result["family"].extend(_ancestor_families(result["male"], seen_groups | seen_arabic))
    return result
