// Synthetic mouse input for the map tests: wheel zoom, hover and drag delivered to one widget.
#pragma once

#include <QEvent>
#include <QPointF>

class QWidget;

namespace rs::test {

void send_wheel(QWidget* w, QPointF pos, int delta);
void send_mouse(QWidget* w, QEvent::Type type, QPointF pos, Qt::MouseButton button,
                Qt::MouseButtons buttons);
void send_move(QWidget* w, QPointF pos, Qt::MouseButtons buttons = Qt::NoButton);
void drag(QWidget* w, QPointF from, QPointF to);

}  // namespace rs::test
