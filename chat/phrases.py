"""What an officer meant: Thai as people type it, turned into a command word and its arguments.

One normaliser for commands and searches (`core.thai.normalize_text`: sara am typed as ํ + า,
zero-width characters, repeated spaces, Thai digits), then:

- polite particles and question words around a command (ครับ ค่ะ คะ นะ จ้า บ้าง ไหม หน่อย …;
  ขอดู / ช่วยดู … before it) are dropped — glued to the command word too (ค้างชำระครับ), but
  never cut out of an argument (a village or a person may be named …นะ): a place with one glued
  to it is read without it only when the whole names no place (chat/places.py);
- a small table of synonyms per command (ใครค้าง, ค้างจ่าย, ลูกหนี้ค้าง → ค้างชำระ; ใกล้ครบ → ครบกำหนด),
  which take their argument glued too, as Thai is typed without spaces (ยอดค้างเกาะกูด);
- a name typed alone is read without what is around it (`named_alone`: สลักเตียนเป็นไงบ้าง);
- one typo in a command word is forgiven (คางชำระ → ค้างชำระ) when no other word is as close;
- greetings and thanks are recognised, so the bot can answer kindly.

Written here rather than with a Thai NLP library (pythainlp): the job is a few tables and an edit
distance over a dozen words, and the webhook's cold start cannot carry a tokenizer's import.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from core.thai import MONTHS_FULL, normalize_text

# Longest first where one contains another, so that "นะครับ" goes before "ครับ".
PARTICLES: tuple[str, ...] = (
    "ได้ไหม", "ได้มั้ย", "ได้มั๊ย", "นะครับ", "นะคะ", "ครับผม", "ครับ", "คับ", "ค่ะ", "คะ", "ค่า", "จ้า",
    "จ้ะ", "จ๊ะ", "ฮะ", "ให้หน่อย", "ให้ด้วย", "นะ", "หน่อย", "ด้วย", "บ้าง", "ไหม", "มั้ย", "มั๊ย", "เลย", "ที", "please", "pls",
)
LEADS: tuple[str, ...] = ("ขอดู", "ช่วยดู", "อยากดู", "อยากรู้", "ขอทราบ", "เช็ค", "เช็ก", "ขอ", "ดู", "ช่วย", "หา")
# "Is there …" before a command (มีกองทุนไหนไม่ผ่านบ้าง): not before a name said alone (มีชัย is a name).
ASK_LEADS: tuple[str, ...] = ("มี",)
# "The names of those who …": a list asked for by what its people are (ขอรายชื่อคนที่ผิดสัญญา, ลูกหนี้ที่ครบกำหนด
# สัปดาห์นี้). Read before the whole text, whose start may be another command's word (รายชื่อลูกหนี้: ค้นหา).
LIST_LEADS: tuple[str, ...] = ("รายชื่อลูกหนี้ที่", "รายชื่อคนที่", "รายชื่อผู้ที่", "ลูกหนี้ที่", "สัญญาที่", "คนที่", "ผู้ที่")

# command key -> other ways people ask for it (the command's own words live in its table).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "overdue": ("ใครค้างชำระ", "มีใครค้างชำระ", "ควรไปเยี่ยมใครก่อน", "ควรไปเยี่ยมใคร", "ไปเยี่ยมใครก่อน", "ควรไปหาใครก่อน",
                "ใครใกล้จะผิดสัญญา", "ใครใกล้ผิดสัญญา", "ใกล้จะผิดสัญญา", "ใกล้ผิดสัญญา", "ใครค้างนานที่สุด", "ใครค้างมากที่สุด", "ใครค้างเยอะที่สุด",
                "ใครค้างมากสุด", "ใครค้างเยอะสุด", "ใครค้าง", "มีใครค้าง", "ลูกหนี้ที่ต้องติดตาม", "ต้องติดตามใคร", "ต้องตามใคร", "ใครควรไปตามก่อน",
                "ควรตามใครก่อน", "รายชื่อผู้ผิดนัด", "ใครผิดนัดชำระ", "ใครผิดนัด", "ผิดนัดชำระ", "ผิดนัด", "ค้างจ่าย", "ลูกหนี้ค้าง", "หนี้ค้าง", "ใครยังไม่จ่าย", "ใครยังไม่ชำระ",
                "ยังไม่จ่าย", "เกินกำหนดชำระ", "ค้างส่ง", "ค้าง", "ลูกหนี้ค้างจ่าย", "ลูกหนี้ค้างชำระ",
                "ลูกหนี้ที่ค้าง", "ใครค้างจ่าย", "คนค้าง", "ยอดค้าง", "ยอดค้างชำระ", "ใครค้างนานสุด",
                "ค้างนานสุด", "ค้างนานที่สุด", "ใครยังไม่ได้จ่าย", "ยังไม่ได้จ่าย", "ใครยังไม่ได้ชำระ", "ยังไม่ได้ชำระ",
                "คนที่ค้าง", "คนที่ค้างชำระ", "คนที่ค้างจ่าย", "คนค้างจ่าย", "คนค้างชำระ", "ผู้ค้างชำระ",
                "ลูกหนี้รายไหนค้าง", "ลูกหนี้คนไหนค้าง", "รายไหนค้าง", "คนไหนค้าง", "รายชื่อคนค้าง",
                "รายชื่อคนค้างจ่าย", "รายชื่อคนค้างชำระ", "รายชื่อลูกหนี้ค้าง", "รายชื่อลูกหนี้ค้างชำระ",
                "รายชื่อลูกหนี้ที่ค้าง", "รายชื่อผู้ค้างชำระ", "ใครยังค้างอยู่", "ใครยังค้าง", "ยังค้างอยู่", "ค้างอยู่",
                "ต้องโทรตามใคร", "ต้องโทรตาม", "โทรตามใคร", "ต้องไปเยี่ยมใคร", "ต้องไปเยี่ยม", "ต้องไปตามใคร",
                "ต้องไปตาม", "ตามหนี้ใคร", "ใครเลยกำหนดชำระ", "เลยกำหนดชำระ", "ใครเลยกำหนด", "งวดที่เลยกำหนด", "เลยกำหนด",
                "งวดที่ค้าง", "งวดค้าง", "ลูกหนี้ผิดนัดชำระ", "ลูกหนี้ผิดนัด"),
    "due": ("จะครบกำหนด", "ใครจะครบกำหนด", "ต้องไปหมู่บ้านไหน", "ต้องไปบ้านไหน", "ต้องไปกองทุนไหน", "ต้องลงพื้นที่ที่ไหน",
            "ลงพื้นที่ที่ไหน", "ใกล้ครบสัญญา", "ใกล้หมดสัญญา", "ยอดที่ต้องเก็บ", "ยอดต้องเก็บ", "ต้องเก็บ", "เป้าการเก็บเงิน", "เป้าการเก็บ",
            "ยอดครบกำหนด", "มีงวดครบกำหนด", "วันนี้มีอะไร", "มีงานอะไรวันนี้", "งานวันนี้", "ใกล้ครบกำหนด", "ใกล้ครบ", "ใครครบกำหนด", "ถึงกำหนด", "ครบงวด", "ใครต้องจ่าย", "ต้องจ่าย",
            "ใครต้องชำระ", "ต้องชำระ", "มีใครต้องจ่าย", "มีใครต้องชำระ", "มีใครครบกำหนด", "ใครถึงกำหนด", "ต้องเก็บเงิน", "ต้องไปเก็บเงิน", "งวดที่ครบกำหนด", "งวดครบกำหนด"),
    "summary": ("สรุปผลการดำเนินงาน", "ภาพรวม", "สรุปยอด", "สรุปผล", "ยอดรวม", "รายงาน", "รายงานเดือนนี้", "รายงานประจำเดือน", "ผลการดำเนินงาน",
                "ยอดคงค้าง", "ยอดคงเหลือ", "เงินยืมคงเหลือ", "ยอดเงินยืมคงเหลือ", "ยอดเงินยืมคงค้าง", "ยอดเงินกู้คงค้าง",
                "เงินกู้คงค้าง", "ลูกหนี้ทั้งหมด", "มีลูกหนี้กี่ราย", "มีกี่สัญญา", "กี่สัญญา", "สัญญาทั้งหมด",
                "par30", "par 30", "ยอดหนี้คงเหลือ", "ยอดหนี้คงค้าง", "หนี้คงเหลือ", "หนี้คงค้าง", "ยอดหนี้",
                "เงินที่ปล่อยกู้ไป", "เงินที่ปล่อยกู้", "ยอดปล่อยกู้", "ปล่อยกู้ไปเท่าไหร่", "เงินที่ให้ยืม", "ยอดเงินยืมทั้งหมด",
                "อัตราหนี้เสีย", "หนี้เสีย", "npl", "มีกองทุนกี่กองทุน", "มีกี่กองทุน", "กี่กองทุน", "จำนวนกองทุน", "กองทุนทั้งหมด", "ตัวชี้วัด 9.1", "ตัวชี้วัด9.1", "ข้อมูลครบกี่กองทุน", "ผ่านตัวชี้วัดกี่กองทุน"),
    "help": ("ทำอะไรได้", "ใช้ยังไง", "ใช้อย่างไร", "คำสั่ง", "ช่วยด้วย", "ช่วยที", "งง"),
    "find": ("ประวัติการชำระเงิน", "ประวัติการชำระ", "ประวัติการจ่าย", "ประวัติลูกหนี้", "ดูการ์ดลูกหนี้", "การ์ดลูกหนี้",
             "ดูรายละเอียดลูกหนี้", "รายละเอียดลูกหนี้", "ข้อมูลลูกหนี้", "สถานะลูกหนี้", "ดูสัญญา", "เลขที่สัญญา", "สัญญา", "ค้นหาลูกหนี้", "หาลูกหนี้", "หา", "รายชื่อลูกหนี้", "รายชื่อผู้ยืม", "ลูกหนี้"),
    "pay": ("ชำระเงินกู้", "ชำระเงินยืม", "ชำระเงิน", "จ่ายเงินกู้", "จ่ายเงินยืม", "คืนเงินกู้", "คืนเงินยืม",
            "ช่วยบันทึกให้หน่อย", "ช่วยบันทึกให้", "บันทึกให้หน่อย", "ช่วยบันทึกว่า", "บันทึกว่า", "รับชำระเงิน", "บันทึกรับชำระเงิน", "บันทึกการชำระเงิน", "บันทึกรับชำระ", "บันทึกการชำระ", "รับเงิน", "บันทึกเงิน", "รับชำระ", "จ่ายเงิน", "เก็บเงินได้"),
    "fund": ("เงินทุนหมุนเวียน", "เงินหมุนเวียน", "ดูกองทุน", "สถานะกองทุน", "ข้อมูลกองทุน", "เงินในบัญชี", "มีเงินในบัญชี", "ยอดเงินในบัญชี", "ยอดเงินฝาก",
             "เงินฝาก", "มีเงินฝาก", "สมุดบัญชีกองทุน", "สมุดบัญชี", "เงินทุน", "เงินทุนกองทุน", "ยอดเงินทุน"),
    "send_document": ("อัปเดตยอดเงินฝาก", "อัพเดทยอดเงินฝาก", "แก้ยอดเงินฝาก", "บันทึกยอดเงินฝาก", "ส่งยอดเงินฝาก",
                      "อัปเดตสมุดบัญชี", "อัพเดทสมุดบัญชี", "ส่งคำสั่งแต่งตั้ง", "ส่งสรุปสถานะการเงิน",
                      "ส่งสมุดบัญชี", "ส่งสำเนาสมุดบัญชี", "ส่งรูปสมุดบัญชี", "ส่งบัญชีธนาคาร", "ส่งรายงานการประชุม",
                      "ส่งเอกสารกองทุน", "ส่งหลักฐาน"),
    "collection": ("ส่งใบติดตาม", "ขอใบติดตาม", "พิมพ์ใบติดตาม", "ใบติดตามการรับชำระ", "ใบทวงถาม", "ใบติดตามหนี้"),
    "recorded": ("ยกเลิกรายการ", "ยกเลิกรายการล่าสุด", "ยกเลิกการชำระ", "ยกเลิกรับชำระ", "ลบรายการ", "ลบรายการล่าสุด",
                 "แก้ไขยอดชำระ", "แก้ยอดชำระ", "แก้ไขรายการ", "บันทึกผิด", "บันทึกผิดพลาด", "พิมพ์ผิด",
                 "รายการล่าสุด", "รายการที่บันทึกไว้", "ที่บันทึกไว้", "ประวัติการบันทึก", "undo",
                 "แก้ยอดที่บันทึก", "แก้รายการที่บันทึก", "ลบรายการที่บันทึก", "ที่บันทึกไปเมื่อกี้", "เมื่อกี้บันทึกผิด",
                 "ลบที่บันทึก", "ยกเลิกที่บันทึก"),
    "ranking": ("กองทุนที่ค้าง", "กองทุนไหนค้าง", "ยอดค้างรายกองทุน", "ค้างรายกองทุน", "แยกรายกองทุน", "รายกองทุน", "กองทุนไหนค้างมากสุด", "กองทุนไหนค้างมากที่สุด", "กองทุนไหนค้างมาก", "กองทุนค้างมากสุด",
                "กองทุนไหนค้างเยอะสุด", "กองทุนไหนค้างเยอะที่สุด", "กองทุนไหนค้างเยอะ", "กองทุนค้างเยอะ",
                "กองทุนที่ค้างมาก", "กองทุนที่ค้างเยอะ", "หมู่บ้านไหนค้างมาก", "หมู่บ้านไหนค้างเยอะ",
                "หมู่บ้านไหนค้างมากสุด", "หมู่บ้านไหนค้างเยอะสุด", "บ้านไหนค้างมากสุด", "บ้านไหนค้างเยอะสุด",
                "บ้านไหนค้างมาก", "บ้านไหนค้างเยอะ", "บ้านไหนค้าง", "หมู่บ้านไหนค้าง",
                # which fund of a place: กองทุนไหนในตำบลบางพระค้างมากสุด (the question after it: rankings.py)
                "กองทุนไหนใน", "หมู่บ้านไหนใน", "บ้านไหนใน",
                "กองทุนที่ต้องติดตาม", "อันดับกองทุน", "กองทุนไหนน่าห่วง", "กองทุนไหนควรลงไปติดตาม", "กองทุนไหนควรติดตาม",
                "กองทุนที่ควรติดตาม", "ควรลงไปติดตามที่ไหน", "ควรไปกองทุนไหน"),
    "paid": ("ใครจ่ายล่าสุด", "ใครจ่ายแล้วบ้าง", "ใครมาจ่ายแล้ว", "ใครมาจ่าย", "ใครชำระแล้วบ้าง", "ใครชำระแล้ว",
             "ใครชำระล่าสุด", "ใครมาชำระ", "รายการรับชำระล่าสุด", "รายการรับชำระ", "การชำระล่าสุด", "รับเงินล่าสุด",
             "คนที่จ่ายแล้ว", "ลูกหนี้ที่จ่ายแล้ว", "ใครคืนเงินแล้ว", "ใครจ่าย", "ใครชำระ"),
    "collected": ("อัตราการชำระคืน", "อัตราการเก็บ", "เปอร์เซ็นต์การเก็บเงิน", "เปอร์เซ็นต์การเก็บ", "เก็บได้กี่เปอร์เซ็นต์",
                  "เก็บเงินได้กี่เปอร์เซ็นต์", "เก็บเงินได้กี่%", "เก็บได้กี่เปอร์เซนต์", "เก็บเงินได้กี่เปอร์เซนต์",
                  "เก็บได้กี่%", "อำเภอไหนเก็บเงินได้น้อยสุด", "อำเภอไหนเก็บเงินได้มากสุด", "อำเภอไหนเก็บได้น้อย",
                  "อำเภอไหนเก็บได้มาก", "อำเภอไหนเก็บเงินได้ดีที่สุด", "อำเภอไหนเก็บเงินได้ดี", "อำเภอไหนเก็บได้ดี",
                  "อำเภอไหนเก็บเงินได้มากที่สุด", "อำเภอไหนเก็บเงินได้น้อยที่สุด", "อัตราการเก็บรายอำเภอ", "เก็บเงินได้กี่บาท", "เก็บได้กี่บาท", "ยอดที่เก็บได้", "ยอดเก็บได้", "ยอดเก็บเงิน", "ยอดเก็บ", "เก็บเงินได้เท่าไหร่", "เก็บเงินได้เท่าไร", "เก็บได้เท่าไหร่", "เก็บได้เท่าไร",
                  "รับชำระได้เท่าไหร่", "รับชำระเท่าไหร่", "ยอดชำระ", "ยอดรับเงิน", "รับเงินได้เท่าไหร่"),
    "officers": ("เจ้าหน้าที่คนไหนยังไม่ได้ใช้งาน", "เจ้าหน้าที่คนไหนยังไม่ลงทะเบียน", "เจ้าหน้าที่คนไหนยังไม่ผูกไลน์",
                 "ใครยังไม่ได้ใช้งาน", "ยังไม่ได้ใช้งาน", "ใครยังไม่ได้ลงทะเบียนไลน์", "ใครยังไม่ลงทะเบียนไลน์", "ยังไม่ได้ลงทะเบียนไลน์", "ยังไม่ลงทะเบียนไลน์",
                 "ใครยังไม่ได้ลงทะเบียน", "ยังไม่ได้ลงทะเบียน", "ใครยังไม่ได้ผูกไลน์", "ใครยังไม่ใช้ไลน์", "ลงทะเบียนไลน์",
                 "ใครยังไม่ลงทะเบียน", "ยังไม่ลงทะเบียน", "ใครยังไม่ผูกไลน์", "ใครยังไม่ผูก line", "ยังไม่ผูกไลน์",
                 "รายชื่อเจ้าหน้าที่", "เจ้าหน้าที่ที่ยังไม่ลงทะเบียน", "เจ้าหน้าที่คนไหนยังไม่ได้ใช้ไลน์",
                 "เจ้าหน้าที่คนไหนยังไม่ใช้ไลน์", "เจ้าหน้าที่คนไหนยังไม่ใช้ line", "ใครยังไม่ได้ใช้ไลน์", "ใครเป็นเจ้าหน้าที่", "ใครดูแล", "ใครรับผิดชอบ",
                 "เจ้าหน้าที่ที่ดูแล", "เจ้าหน้าที่ประจำ", "เจ้าหน้าที่อำเภอ", "ใครใช้ไลน์แล้ว", "ผู้ใช้งาน"),
    "feedback": ("แจ้งปัญหา", "มีปัญหาการใช้งาน", "ใช้งานไม่ได้", "ติดต่อผู้ดูแล", "ติดต่อแอดมิน", "แจ้งผู้ดูแล"),
    "notices": ("หนังสือทวงหนี้", "หนังสือทวงถามหนี้", "จดหมายทวงหนี้", "ใบทวงหนี้", "หนังสือทวงถาม", "หนังสือเตือน", "ใบแจ้งเตือน", "ใบเตือน", "พิมพ์ใบแจ้งเตือน", "ขอใบเตือน",
                "ออกหนังสือแจ้งเตือน"),
    "trend": ("ยอดค้างชำระเพิ่มขึ้นหรือลดลง", "ยอดค้างเพิ่มขึ้นหรือลดลง", "ค้างชำระเพิ่มขึ้นหรือลดลง", "ยอดค้างชำระเพิ่มขึ้น",
              "ยอดค้างชำระลดลง", "ยอดค้างเพิ่มขึ้น", "ยอดค้างลดลง", "ค้างชำระเพิ่มขึ้น", "ค้างเพิ่มขึ้น", "ค้างชำระลดลง", "ค้างลดลง", "เพิ่มขึ้นหรือลดลง", "แนวโน้มค้างชำระ", "แนวโน้มการค้างชำระ", "เทียบเดือนที่แล้ว", "เทียบกับเดือนที่แล้ว", "เปรียบเทียบกับเดือนที่แล้ว",
              "เปรียบเทียบเดือนที่แล้ว", "เทียบเดือนก่อน", "เปรียบเทียบรายเดือน", "ย้อนหลัง", "ย้อนหลัง 6 เดือน",
              "ค้างชำระย้อนหลัง", "ค้างชำระรายเดือน", "ดีขึ้นไหม", "ดีขึ้นหรือแย่ลง", "กราฟ"),
    "report_file": ("ส่งรายงานให้ผู้ว่า", "รายงานผู้ว่า", "ส่งไฟล์รายงาน", "ส่งรายงาน", "pdf รายงาน", "รายงาน pdf",
                    "ไฟล์ excel รายงาน", "ไฟล์รายงาน excel", "รายงาน excel", "ดาวน์โหลดรายงาน", "โหลดรายงาน",
                    "ขอไฟล์ pdf", "ไฟล์ pdf", "สรุปตัวเลขไปประชุม", "ตัวเลขไปประชุม", "ตัวเลขเข้าประชุม", "ข้อมูลเข้าประชุม", "ข้อมูลไปประชุม",
                    "รายงานประจำเดือน pdf", "รายงานประจำเดือนpdf", "ไฟล์รายงานประจำเดือน", "ไฟล์รายงาน", "ขอไฟล์รายงาน",
                    "พิมพ์รายงานประจำเดือน", "พิมพ์รายงาน", "ปริ้นรายงาน", "ปริ้นท์รายงาน", "รายงานสำหรับประชุม",
                    "รายงานการประชุม", "รายงานเข้าประชุม", "รายงานประชุมประจำเดือน", "แบบ 26", "แบบ26", "แบบ 26(1)",
                    "แบบ 26(2)", "แบบรายงาน 26", "ขอแบบฟอร์มรายงาน"),
    "funds": ("รายชื่อกองทุน", "รายชื่อหมู่บ้าน", "กองทุนมีอะไรบ้าง", "มีกองทุนอะไรบ้าง", "กองทุนในพื้นที่",
              "หมู่บ้านในพื้นที่", "มีหมู่บ้านอะไรบ้าง", "list funds"),
    # asking for a code: the register command without one says where it comes from (a code typed after
    # these words would count as a try, so only words said alone are listed)
    "register": ("ขอรหัสลงทะเบียน", "ลืมรหัสลงทะเบียน", "รหัสลงทะเบียนอยู่ไหน", "ขอรหัสผูกไลน์", "ลงทะเบียนยังไง"),
    "subdistrict_ranking": ("ตำบลไหนค้างมากที่สุด", "ตำบลไหนค้างมากสุด", "ตำบลไหนค้างมาก", "ตำบลไหนค้างเยอะที่สุด",
                            "ตำบลไหนค้างเยอะสุด", "ตำบลไหนค้างเยอะ", "ตำบลค้างมากสุด", "ตำบลค้างเยอะ", "อันดับตำบล",
                            "รายตำบล", "แยกรายตำบล", "ตำบลไหนน่าห่วง", "ตำบลที่ต้องติดตาม", "ตำบลไหนควรไปก่อน",
                            "ตำบลไหนใน"),
    "district_ranking": ("เทียบแต่ละอำเภอ", "เทียบรายอำเภอ", "เปรียบเทียบอำเภอ", "เปรียบเทียบรายอำเภอ", "แต่ละอำเภอ",
                         "อำเภอไหน par30 สูงสุด", "อำเภอไหนpar30สูงสุด", "อำเภอไหน par30 สูง", "อำเภอไหน par30",
                         "par30 ของแต่ละอำเภอ", "par30 แต่ละอำเภอ", "par30 รายอำเภอ", "par 30 รายอำเภอ",
                         "รายอำเภอ", "แยกรายอำเภอ", "อำเภอไหนค้างมากสุด", "อำเภอไหนค้างมากที่สุด", "อำเภอไหนค้างมาก", "อำเภอค้างมากสุด",
                         "อำเภอไหนค้างเยอะสุด", "อำเภอไหนค้างเยอะที่สุด", "อำเภอไหนค้างเยอะ", "อำเภอค้างเยอะ",
                         # the best is the last of the ranking, which lists every district
                         "อำเภอไหนดีที่สุด", "อำเภอไหนดีสุด", "อำเภอไหนค้างน้อยสุด", "อำเภอไหนค้างน้อยที่สุด",
                         "อันดับอำเภอ", "อำเภอไหนน่าห่วง", "อำเภอไหนน่าเป็นห่วง", "อำเภอที่ต้องติดตาม",
                         "อำเภอไหนแย่สุด", "อำเภอไหนแย่ที่สุด", "อำเภอไหนแย่"),
    "check": ("ใครจ่ายเกินยอด", "ใครจ่ายเกิน", "ใครชำระเกิน", "จ่ายเกินยอด", "ชำระเกินยอด", "จ่ายเกิน", "ชำระเกิน",
              "ตรวจข้อมูล", "ตรวจสอบข้อมูล", "คุณภาพข้อมูล", "ข้อมูลผิด", "ข้อมูลผิดตรงไหน", "ข้อมูลไม่ครบ",
              "ปัญหาข้อมูล", "กองทุนไหนมีปัญหาข้อมูล", "หมู่บ้านไหนมีปัญหาข้อมูล", "บ้านไหนมีปัญหาข้อมูล",
              "มีปัญหาข้อมูล", "กองทุนไหนมีปัญหา", "หมู่บ้านไหนมีปัญหา", "บ้านไหนมีปัญหา", "มีปัญหา", "กองทุนไหนข้อมูลไม่ครบ", "กองทุนไหนข้อมูลผิด",
              "กองทุนไหนข้อมูลไม่ถูกต้อง", "กองทุนไหนต้องแก้ข้อมูล", "ต้องแก้ข้อมูล", "แก้ข้อมูลตรงไหน",
              "กองทุนที่ยังไม่ส่งสมุดบัญชี", "กองทุนที่ยังไม่ส่งเอกสาร", "ยังไม่ส่งเอกสาร", "เอกสารไม่ครบ",
              "กองทุนไหนยังไม่ส่ง", "กองทุนไหนยังไม่อัปเดตสมุดบัญชี", "ยังไม่อัปเดตสมุดบัญชี", "เอกสารที่ยังขาด",
              "ใครยังไม่ส่งเอกสาร", "เอกสารขาด", "กองทุนที่มีปัญหาข้อมูล", "ข้อมูลไม่เป็นปัจจุบัน", "สมุดบัญชีเก่า",
              "กองทุนที่ยอดเงินฝากไม่อัปเดต", "ยอดเงินฝากไม่อัปเดต", "ยอดเงินฝากเก่า",
              "กองทุนไหนยอดเงินฝากไม่อัปเดต", "กองทุนไหนยอดเงินฝากเก่า", "กองทุนไหนสมุดบัญชีเก่า",
              "กองทุนไหนเอกสารไม่ครบ", "กองทุนไหนข้อมูลไม่เป็นปัจจุบัน", "กองทุนไหนข้อมูลเก่า",
              "กองทุนไหนยังไม่ส่งสมุดบัญชี", "กองทุนไหนยังไม่ส่งเอกสาร", "ยังไม่ส่งสมุดบัญชี", "ใครยังไม่ส่งสมุดบัญชี",
              # said after a place: บ้านคลองมะพร้าว ม.12 ต้องแก้อะไร, …ข้อมูลครบไหม
              "ต้องแก้อะไร", "ต้องแก้ตรงไหน", "มีปัญหาอะไร", "ข้อมูลครบหรือยัง", "ข้อมูลครบ", "ข้อมูลถูกต้อง",
              # indicator 9.1: the check says which funds pass, and district by district
              "ตัวชี้วัด 9.1 รายอำเภอ", "ตัวชี้วัด9.1รายอำเภอ", "ตัวชี้วัด 9.1 แยกอำเภอ", "9.1 รายอำเภอ",
              "กองทุนไหนไม่ผ่านตัวชี้วัด", "กองทุนที่ไม่ผ่านตัวชี้วัด", "กองทุนไหนไม่ผ่าน", "กองทุนที่ไม่ผ่าน",
              "ไม่ผ่านตัวชี้วัด", "ไม่ผ่าน 9.1", "ไม่ผ่าน9.1",
              # the check says whose committee's term is over
              "กองทุนไหนกรรมการหมดวาระ", "กรรมการหมดวาระ", "คำสั่งแต่งตั้งหมดวาระ", "คำสั่งแต่งตั้งกรรมการหมดวาระ",
              "กรรมการหมดอายุ", "วาระกรรมการ", "อำเภอไหนมีปัญหาข้อมูล", "อำเภอไหนข้อมูลไม่ครบ", "อำเภอไหนไม่ผ่าน"),
}
# What asks how something is, after its name: "บ้านสลักเตียนเป็นไงบ้าง" (longest first).
HOW_IS: tuple[str, ...] = ("มีเงินเหลือเท่าไหร่", "มีเงินเหลือเท่าไร", "เหลือเงินเท่าไหร่", "มีเงินเท่าไหร่", "มีเงินเหลือ",
                           "มีหมู่บ้านอะไรบ้าง", "มีหมู่บ้านไหนบ้าง", "มีกองทุนอะไรบ้าง", "มีกองทุนไหนบ้าง",
                           "มีหมู่บ้านอะไร", "มีกองทุนอะไร", "มีกี่หมู่บ้าน", "มีกี่กองทุน", "มีลูกหนี้กี่คน", "มีลูกหนี้กี่ราย", "มีลูกหนี้เท่าไหร่", "มีกี่สัญญา", "มีกี่คน", "มีกี่ราย",
                           "แก้ยังไง", "แก้อย่างไร", "ทำยังไง", "ทำอย่างไร", "เป็นยังไงบ้าง", "เป็นอย่างไรบ้าง", "เป็นไงบ้าง", "เป็นยังไง", "เป็นอย่างไร", "เป็นไง",
                           "ยังไงบ้าง", "ยังไง", "เท่าไหร่แล้ว", "เท่าไรแล้ว", "เท่าไหร่", "เท่าไร", "กี่ราย", "กี่คน",
                           "กี่สัญญา", "กี่บาท", "กี่วัน", "กี่เดือน", "กี่งวด", "ได้กี่เปอร์เซ็นต์", "กี่เปอร์เซ็นต์", "ได้กี่%",
                           "กี่%")
# "Now", said around a place or alone after a command whose answer is as of today (สรุปเดือนนี้,
# ค้างชำระ ตอนนี้): not a place's name (chat.places.narrow leaves them out).
NOW_WORDS: frozenset[str] = frozenset({"เดือนนี้", "วันนี้", "ตอนนี้", "ล่าสุด", "ปัจจุบัน", "ขณะนี้", "ปีงบนี้",
                                      "ปีงบประมาณนี้", "ปีนี้"})
# "Where", asked after a command (ต้องไปเก็บเงินที่ไหนบ้าง): not a place's name either.
WHERE_WORDS: frozenset[str] = frozenset({"ที่ไหน", "ที่ไหนบ้าง", "ไหนบ้าง", "ตรงไหน", "ตรงไหนบ้าง"})
# "Who" or "what", asked after a command (พรุ่งนี้ต้องไปเก็บเงินใครบ้าง): not a place's name.
QUESTION_WORDS: frozenset[str] = frozenset({"ใคร", "ใครบ้าง", "มีใคร", "มีใครบ้าง", "คนไหน", "คนไหนบ้าง", "รายไหน",
                                           "รายไหนบ้าง", "อะไร", "อะไรบ้าง", "นาน", "นานๆ", "ๆ", "เมื่อไหร่", "เมื่อไร",
                                           "เมื่อไหร่บ้าง", "วันไหน", "วันไหนบ้าง"})
# "All of it": the officer's whole area, which is what a command without a place answers.
WHOLE_WORDS: frozenset[str] = frozenset({"ทั้งหมด", "ทั้งอำเภอ", "ทั้งจังหวัด", "ทุกกองทุน", "ทุกหมู่บ้าน", "ทั้งหมดเลย",
                                         "จังหวัด", "ทุกอำเภอ", "ภาพรวม", "ของทุกกองทุน", "ของทั้งหมด",
                                         "ในอำเภอ", "ในจังหวัด", "ในพื้นที่", "ทั้งพื้นที่", "ในเขต",
                                         "9.1", "ตัวชี้วัด", "ตัวชี้วัด9.1",
                                         # "which funds": every fund of the area, what the list answers
                                         "กองทุนไหน", "กองทุนไหนบ้าง", "หมู่บ้านไหน", "หมู่บ้านไหนบ้าง",
                                         "บ้านไหน", "บ้านไหนบ้าง",
                                         # "the most": a list already puts the most urgent first
                                         "เยอะสุด", "เยอะที่สุด", "มากสุด", "มากที่สุด", "นานสุด", "นานที่สุด",
                                         "ที่สุด"})
# What asks about a borrower's paying, after their name: "นายหนึ่ง จ่ายไปเท่าไหร่แล้ว" reads as the name
# (their card says what was paid and what is left). Dropped after HOW_IS's words, as they come.
ABOUT_PAYING: tuple[str, ...] = ("ต้องจ่ายงวดหน้าเมื่อไหร่", "ต้องชำระงวดหน้าเมื่อไหร่", "ต้องจ่ายงวดหน้าเท่าไหร่",
                                 "ต้องจ่ายงวดหน้า", "ต้องชำระงวดหน้า", "จ่ายล่าสุดเมื่อไหร่", "ชำระล่าสุดเมื่อไหร่", "จ่ายครั้งล่าสุด", "จ่ายล่าสุด", "ชำระล่าสุด",
                                 "งวดหน้าต้องจ่ายเท่าไหร่", "งวดหน้าเท่าไหร่", "งวดต่อไปเท่าไหร่", "งวดถัดไปเท่าไหร่",
                                 "งวดหน้าวันไหน", "งวดหน้าเมื่อไหร่", "งวดหน้า", "งวดต่อไป", "งวดถัดไป",
                                 "ต้องจ่ายอีกเท่าไหร่", "ต้องจ่ายเท่าไหร่", "เหลือกี่งวด", "อีกกี่งวด", "จ่ายไปกี่งวด", "จ่ายกี่งวดแล้ว",
                                 "จ่ายครบแล้วหรือยัง", "ชำระครบแล้วหรือยัง", "จ่ายครบหรือยัง", "ชำระครบหรือยัง",
                                 "จ่ายครบแล้ว", "ชำระครบแล้ว", "จ่ายครบ", "ชำระครบ", "ปิดบัญชีแล้วหรือยัง",
                                 "ปิดบัญชีหรือยัง", "ปิดบัญชีแล้ว", "ปิดสัญญาหรือยัง", "ปิดสัญญาแล้ว",
                                 "หมดหนี้หรือยัง", "หมดหนี้แล้ว", "จ่ายหรือยัง", "ชำระหรือยัง", "จ่ายไปแล้ว", "ชำระไปแล้ว", "จ่ายแล้ว", "ชำระแล้ว",
                                 "จ่ายไป", "ชำระไป", "จ่ายยัง", "เหลืออีก", "เหลืออยู่", "คงเหลือ", "เหลือ",
                                 # what they borrowed and what they must pay next: their card says both
                                 "ยืมเงินไปเท่าไหร่", "ยืมไปเท่าไหร่", "ยืมเท่าไหร่", "กู้ไปเท่าไหร่", "กู้เท่าไหร่",
                                 "ยืมไปกี่บาท", "ยืมไป", "กู้ไป", "ยืมเงิน")
# Where a borrower is, asked after their name ("บุญเรือนอยู่หมู่ไหน"): their card names the fund and village.
ABOUT_WHERE: tuple[str, ...] = ("บ้านอยู่ที่ไหน", "บ้านอยู่ไหน", "อยู่หมู่บ้านไหน", "อยู่หมู่ไหน", "อยู่กองทุนไหน",
                                "อยู่ตำบลไหน", "อยู่ที่ไหน", "อยู่ไหน", "กองทุนไหน", "หมู่ไหน")   # longest first
# Typed to leave a step that waits for typing (the step's ยกเลิก button does the same).
CANCEL_WORDS: frozenset[str] = frozenset({"ยกเลิก", "cancel", "เลิก", "ไม่เอาแล้ว", "ไม่บันทึก", "ยกเลิกก่อน", "ออก"})
# Typed as if to press a confirm card's button, which typing cannot do (chat.talk says so).
CONFIRM_WORDS: frozenset[str] = frozenset({"ยืนยัน", "ยืนยันบันทึก", "บันทึกเลย"})
# An acknowledgement (ครับ alone, โอเค, รับทราบ, 👍): a kind word back; those that may also mean "yes, record
# it" (ok, ใช่, ตกลง, ถูกต้อง) say how a repayment is confirmed too.
ACK_WORDS: frozenset[str] = frozenset({"ครับ", "ค่ะ", "คะ", "ค่า", "จ้า", "จ้ะ", "ครับผม", "คับ", "ฮะ", "รับทราบ",
                                       "ทราบแล้ว", "ได้", "ได้เลย", "👍", "🙏", "👌", "โอเค", "ok", "okay", "ตกลง",
                                       "ใช่", "ถูกต้อง", "เข้าใจแล้ว"})
MAYBE_CONFIRM: frozenset[str] = frozenset({"ok", "okay", "โอเค", "ตกลง", "ใช่", "ถูกต้อง"})
# A message to see whether the bot answers at all (officers try it first).
PING_WORDS: frozenset[str] = frozenset({"ทดสอบ", "ทดลอง", "test", "testing", "เทส", "เทสต์", "ping"})
GREETINGS: tuple[str, ...] = ("สวัสดี", "หวัดดี", "อรุณสวัสดิ์", "ดีครับ", "ดีค่ะ", "hello", "hi", "hey", "good morning")
THANKS: tuple[str, ...] = ("ขอบคุณ", "ขอบใจ", "thank", "thx", "ขอบพระคุณ")

GREETING, THANKS_KEY = "greeting", "thanks"
# Laughter as Thai chat types it: 555 (ห้า sounds like "ha"), ฮ่าๆ, อิอิ, 5555+.
_LAUGHTER = re.compile(r"^(?:5{3,}\+*|[๕]{3,}\+*|(?:ฮ่า|ฮา)+ๆ*|อิอิ+|คิคิ|(?:ha)+|lol)$", re.IGNORECASE)


def is_laughter(text: str) -> bool:
    """555, ฮ่าๆ, อิอิ …: nothing to answer but kindly (a number typed as an amount is 555 only while a
    step waits for one, which the conversation asks first)."""
    return bool(_LAUGHTER.match("".join(normalize_text(text).split())))


@dataclass(frozen=True)
class Understood:
    key: str | None      # a command key, GREETING, THANKS_KEY, or None (not understood)
    args: str            # the argument text, normalised
    text: str            # the whole text, normalised (for searches and the "not understood" hint)
    guessed: str = ""    # the command word a typo was taken for ("" when typed right)


def _strip_particles(text: str) -> str:
    """Drop polite particles standing as words at the end; glued ones only when nothing else is left
    glued to them but a command (checked by the caller)."""
    words = text.split(" ")
    while len(words) > 1 and any(reading in PARTICLES for reading in without_glued_particles(words[-1].lower())):
        words.pop()   # a particle, or particles glued together (บ้างคะ, นะครับ)
    return " ".join(words)


def says_one_of(text: str, words: frozenset[str]) -> bool:
    """`text` is one of `words`, typed with or without a polite particle (ยกเลิกครับ, ยืนยัน ค่ะ)."""
    said = _strip_particles(normalize_text(text).strip()).lower().replace(" ", "")
    return any(reading in words for reading in without_glued_particles(said))


def is_cancel(text: str) -> bool:
    """ยกเลิก (or another of CANCEL_WORDS) typed."""
    return says_one_of(text, CANCEL_WORDS)


def without_glued_particles(word: str) -> Iterable[str]:
    """A word with particles glued to its end, and each shorter reading: ใครค้างบ้างครับ, ใครค้างบ้าง, ใครค้าง."""
    yield word
    changed = True
    while changed and word:
        changed = False
        for particle in PARTICLES:
            if word.endswith(particle) and len(word) > len(particle):
                word = word[: -len(particle)]
                changed = True
                yield word
                break


def named_alone(text: str) -> list[str]:
    """How a message that is a name and nothing else may read, once particles and "how is it" words
    are dropped: as typed, then without a lead (ขอดู …), which a name may also begin with:
    "ขอดูบางพระหน่อยครับ" -> ["ขอดูบางพระ", "บางพระ"]; [] when nothing is left."""
    text = _strip_particles(normalize_text(text).strip())
    changed = True
    while changed and text:
        changed = False
        for tail in (*HOW_IS, *PARTICLES, *ABOUT_PAYING, *ABOUT_WHERE):
            if text.endswith(tail) and len(text) > len(tail):
                text, changed = text[: -len(tail)].rstrip(), True
                break
    readings = [text] if text else []
    stripped = True
    while stripped:   # leads may come one after another: ช่วยหา…
        stripped = False
        for lead in LEADS:
            if text.startswith(lead) and len(text) > len(lead) + 1:
                text, stripped = text[len(lead):].strip(), True
                readings.append(text)
                break
    return readings


# A Thai vowel or mark that cannot begin a word, alone before a space or the end: typed once too often.
_STRAY = re.compile(r"^[\u0e30-\u0e3a\u0e45\u0e47-\u0e4e](?:\s|$)")


def _distance_at_most_one(a: str, b: str) -> bool:
    """Levenshtein distance <= 1 (one letter added, dropped or changed)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


class Phrasebook:
    """The words of every command (its own words and its synonyms), and how to read a message."""

    def __init__(self, words: Iterable[tuple[str, str]], synonyms: dict[str, tuple[str, ...]] = SYNONYMS):
        own = {(w.lower(), key) for key, w in words}
        self.own_words = {w for w, _ in own}
        pairs = own | {(w.lower(), key) for key, ws in synonyms.items() for w in ws}
        self.words: list[tuple[str, str]] = sorted(pairs, key=lambda p: (-len(p[0]), p[0]))
        self.spaced = [(word, key) for word, key in self.words if " " in word]   # longest first, as `words`

    def _prefix(self, text: str) -> tuple[str, str] | None:
        low = text.lower()
        head = text.split(" ")[0]
        for word, key in self.words:
            if low == word:
                return key, ""
            if low.startswith(word):
                rest = text[len(word):]
                if _STRAY.match(rest):
                    return key, rest[1:].strip()   # a vowel or mark typed once too often: ค้นหาา สมพงษ์
                if not rest[:1].isspace() and (word.isascii() or (word not in self.own_words and (
                        len(word) < 3 or self._near_a_word(head))) or self._near_a_longer_word(head, word)):
                    # "fundraise" is not "fund". Thai is typed without spaces, so a synonym takes its
                    # place glued too (ยอดค้างเกาะกูด), but not when the whole is one letter from a
                    # command word (ค้างชำรั is a typo of ค้างชำระ, not ค้าง + "ชำรั"; รับชำระล่าสุก of
                    # รับชำระล่าสุด, not รับชำระ + "ล่าสุก"), and never a two-letter one (หา: หาดเล็ก is a
                    # place, not a search for "ดเล็ก").
                    continue
                return key, rest.strip()
        return None

    def _near_a_longer_word(self, head: str, word: str) -> bool:
        """`head` is one letter from a command word longer than `word` (a typo of that one)."""
        low = head.lower()
        return len(low) > len(word) and any(len(other) > len(word) and not other.isascii()
                                            and _distance_at_most_one(low, other) for other, _ in self.words)

    def _near_a_word(self, head: str) -> bool:
        """One letter from a command word of its own length or close (a typo, not a word plus more)."""
        low = head.lower()
        return any(_distance_at_most_one(low, word) for word, _ in self.words if len(word) >= 4 and not word.isascii())

    def _exact(self, text: str) -> str | None:
        low = text.lower()
        return next((key for word, key in self.words if word == low), None)

    def understand(self, raw: str) -> Understood:
        text = normalize_text(raw).lstrip("/").strip()
        text = _strip_particles(text)
        if not text:
            return Understood(None, "", text)
        first = text.split(" ")[0].lower()
        for reading in without_glued_particles(first):
            if reading in GREETINGS or any(reading.startswith(g) for g in GREETINGS if not g.isascii()):
                # What follows the greeting's word is its question (สวัสดีครับ วันนี้ใครต้องจ่าย, หวัดดี
                # ค้างชำระ): the greeting command answers it below the greeting.
                if not self._prefix(text[len(reading):].strip() or "-") or text[len(first):].strip():
                    return Understood(GREETING, text[len(first):].strip(), text)
            if any(reading.startswith(t) for t in THANKS):
                return Understood(THANKS_KEY, "", text)
        words = text.split(" ")
        if 1 < len(words) <= 3 and words[0].lower() in ACK_WORDS and any(
                reading.startswith(t) for word in words[1:] for reading in without_glued_particles(word.lower())
                for t in THANKS):
            return Understood(THANKS_KEY, "", text)   # โอเค ขอบคุณครับ
        candidates = [text]
        for lead in (*LEADS, *ASK_LEADS):  # "ขอดูสรุป", "ช่วยดู ค้างชำระ"
            if text.startswith(lead) and len(text) > len(lead):
                candidates.append(text[len(lead):].strip())
        listed = [c[len(lead):].strip() for c in candidates for lead in LIST_LEADS
                  if c.startswith(lead) and len(c) > len(lead)]
        candidates = [*listed[:1], *candidates]
        for candidate in candidates:
            # A phrase of several words said whole (par30 รายอำเภอ) before its first word alone (par30).
            spaced = next(((key, candidate[len(word):].strip()) for word, key in self.spaced
                           if candidate.lower().startswith(word)
                           and (len(candidate) == len(word) or candidate[len(word)].isspace())), None)
            if spaced is not None:
                return Understood(spaced[0], spaced[1], text)
            # A command glued to particles and nothing else: "ค้างชำระครับ", "ใครค้างบ้างคะ".
            head, _, tail = candidate.partition(" ")
            for reading in without_glued_particles(head):
                key = self._exact(reading)
                if key is not None:
                    return Understood(key, tail.strip(), text)
            found = self._prefix(candidate)
            if found is not None:
                return Understood(found[0], found[1], text)
        return self._typo(text)

    def _typo(self, text: str) -> Understood:
        head, _, tail = text.partition(" ")
        for reading in without_glued_particles(head.lower()):
            if len(reading) < 4:
                continue
            close = {key: word for word, key in self.words
                     if len(word) >= 4 and not word.isascii() and _distance_at_most_one(reading, word)}
            if len(close) == 1:
                key, word = next(iter(close.items()))
                return Understood(key, tail.strip(), text, guessed=word)
        return Understood(None, "", text)


# What may follow a place without being part of it: "now", "where", "all of it", "how much".
_NOT_A_PLACE_AFTER = NOW_WORDS | WHERE_WORDS | WHOLE_WORDS | QUESTION_WORDS | frozenset(HOW_IS)
# The same, longest first, for taking one off the end of a word it is glued to (ทั้งหมดเท่าไหร่).
_GLUED_AFTER = sorted(_NOT_A_PLACE_AFTER, key=len, reverse=True)


# Words a place-taking command's argument may glue to its place (ค้างชำระผิดสัญญาเกาะกูด, ยอดรับชำระตุลาคม
# อำเภอแหลมงอบ, ครบกำหนด30บางพระ): a month, an aging row, a span, a time word; longest first.
_GLUED = re.compile(
    r"(?:เดือน)?(?:" + "|".join(MONTHS_FULL) + r")(?:\s*\d{2,4})?"
    # (a number is whole: "เกิน 10,000 บาท" is an amount, not "เกิน 10" and ",000 บาท")
    r"|ผิดสัญญา|ไม่เกิน\s*\d+(?![\d,.])\s*(?:วัน|เดือน)|เกิน\s*\d+(?![\d,.])\s*(?:วัน|เดือน)?(?!\s*(?:บาท|บ\.))"
    r"|\d+\s*[-–]\s*\d+(?![\d,.])\s*(?:วัน|เดือน)|(?:ภายใน|อีก)?\s*\d+(?![\d,.])\s*(?:วัน|สัปดาห์|อาทิตย์|เดือน)(?:ข้างหน้า)?"
    r"|เดือนที่แล้ว|เดือนก่อน|เดือนนี้|เดือนหน้า|วันนี้|พรุ่งนี้|มะรืนนี้|สัปดาห์นี้|สัปดาห์หน้า|อาทิตย์นี้|อาทิตย์หน้า"
    r"|ล่าสุด|ตอนนี้|ปัจจุบัน|ขณะนี้")
# A place's prefix glued after something else; not after the "whole", "by" and linking words (ทั้งอำเภอ,
# ทุกตำบล, รายอำเภอ, ในอำเภอ, ของตำบล), which read with it.
_PREFIXED = re.compile(r"(?<=\S)(?<!ทั้ง)(?<!ทุก)(?<!ราย)(?<!ใน)(?<!ของ)(อำเภอ|ตำบล)")
_LEADING_NUMBER = re.compile(r"^(\d{1,3})(?=[^\d\s.,/:-])")   # ครบกำหนด30บางพระ (not a fund code 230105-09)


# The English words a command's argument may hold after an English alias (due tomorrow, paid this week,
# overdue breached): read as the Thai the commands take. Longest first.
ENGLISH_ARGS: tuple[tuple[str, str], ...] = (
    ("this week", "สัปดาห์นี้"), ("next week", "สัปดาห์หน้า"), ("this month", "เดือนนี้"),
    ("last month", "เดือนที่แล้ว"), ("next month", "เดือนหน้า"), ("yesterday", "เมื่อวาน"), ("tomorrow", "พรุ่งนี้"),
    ("today", "วันนี้"), ("breached", "ผิดสัญญา"), ("days", "วัน"), ("day", "วัน"), ("over", "เกิน"),
    ("weeks", "สัปดาห์"), ("week", "สัปดาห์"), ("months", "เดือน"), ("month", "เดือน"),
)
_ENGLISH_ARG = re.compile(r"\b(" + "|".join(re.escape(e) for e, _ in ENGLISH_ARGS) + r")\b", re.IGNORECASE)
_THAI_OF = dict(ENGLISH_ARGS)


def in_thai(args: str) -> str:
    """An English alias's argument with its English time words in Thai: "tomorrow" -> "พรุ่งนี้"."""
    return _ENGLISH_ARG.sub(lambda m: _THAI_OF[m.group(1).lower()], args)


def is_qualifier(text: str) -> bool:
    """Nothing but what a list's command takes besides a place: a time, a span, an aging row, a month, or
    asking words (สัปดาห์นี้, เกิน 90 วัน, ตุลาคม, เท่าไหร่บ้าง)."""
    return not without_asking_words(" ".join(_GLUED.sub(" ", text).split()))


def apart(args: str) -> str:
    """A place-taking command's argument with the words glued to its place set apart by spaces, as the
    command's own readers expect them: "ผิดสัญญาเกาะกูด" -> "ผิดสัญญา เกาะกูด", "ตุลาคมอำเภอแหลมงอบ" ->
    "ตุลาคม อำเภอแหลมงอบ". A name holding none of these words is left as it is."""
    text = _GLUED.sub(lambda m: f" {m.group(0).strip()} ", args)
    text = _PREFIXED.sub(r" \1", text)
    text = _LEADING_NUMBER.sub(r"\1 ", text.strip())
    return " ".join(text.split())


def without_asking_words(text: str) -> str:
    """`text` without the words around a place that are not part of it: "now" (NOW_WORDS) at its start,
    and those of _NOT_A_PLACE_AFTER at its end, apart or glued to it, as Thai is typed: "เดือนนี้ บางพระ" ->
    "บางพระ", "ที่ไหนบ้าง" -> "", "ทั้งหมดเท่าไหร่" -> "", "บางพระเท่าไหร่" -> "บางพระ"."""
    words = text.split()
    while words and words[0] in NOW_WORDS:
        words = words[1:]
    while words:
        # Polite particles glued on are looked past (ทั้งจังหวัดหน่อยครับ), but taken off a word only with
        # the asking word before them: a village's name may end in a particle's letters.
        readings = list(without_glued_particles(words[-1]))
        # An asking word, or nothing but particles (บ้างคะ left once พรุ่งนี้ was read off พรุ่งนี้บ้างคะ).
        if any(reading in _NOT_A_PLACE_AFTER or reading.lower() in PARTICLES for reading in readings):
            words.pop()
            continue
        glued = next(((reading, w) for reading in readings for w in _GLUED_AFTER
                      if reading.endswith(w) and len(reading) > len(w)), None)
        if glued is None:
            break
        reading, w = glued
        words[-1] = reading[: -len(w)]
    return " ".join(words)
