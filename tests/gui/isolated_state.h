// GUI tests keep settings and unsaved runs in a temporary folder of their own: they never read or
// change the user's ~/.config/RoPEScope (recent files, dialog folders, max tokens) and each test
// function starts from default settings.
#pragma once

#include <QCoreApplication>
#include <QSettings>
#include <QTemporaryDir>

#include "app_state.h"

class IsolatedState {
  public:
    IsolatedState() {
        QCoreApplication::setOrganizationName("RoPEScopeTest");
        rs::ui::use_state_dir(dir_.path());
    }
    QString path() const { return dir_.path(); }
    // Back to default settings (call from a test class's init()).
    void reset() { QSettings().clear(); }

  private:
    QTemporaryDir dir_;
};
