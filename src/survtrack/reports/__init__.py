"""Printed and exported documents: plan CSV and iCalendar now, after-visit summaries later."""
