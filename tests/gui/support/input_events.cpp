// Synthetic mouse input (see input_events.h).
#include "input_events.h"

#include <QApplication>
#include <QMouseEvent>
#include <QWheelEvent>
#include <QWidget>

namespace rs::test {

void send_wheel(QWidget* w, QPointF pos, int delta) {
    QWheelEvent e(pos, w->mapToGlobal(pos.toPoint()), QPoint(), QPoint(0, delta), Qt::NoButton,
                  Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &e);
}

void send_mouse(QWidget* w, QEvent::Type type, QPointF pos, Qt::MouseButton button,
                Qt::MouseButtons buttons) {
    QMouseEvent e(type, pos, button, buttons, Qt::NoModifier);
    QApplication::sendEvent(w, &e);
}

void send_move(QWidget* w, QPointF pos, Qt::MouseButtons buttons) {
    send_mouse(w, QEvent::MouseMove, pos, Qt::NoButton, buttons);
}

void drag(QWidget* w, QPointF from, QPointF to) {
    send_mouse(w, QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
    send_mouse(w, QEvent::MouseMove, to, Qt::NoButton, Qt::LeftButton);
    send_mouse(w, QEvent::MouseButtonRelease, to, Qt::LeftButton, Qt::NoButton);
}

}  // namespace rs::test
