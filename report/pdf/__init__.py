"""The paper documents as PDFs: the page frame (page.py), the meeting report (meeting.py), the
collection sheets (collection.py) and the notice letters (notice.py). fpdf2 is imported only
here, and only by the jobs that make a PDF: never on the webhook's path."""
